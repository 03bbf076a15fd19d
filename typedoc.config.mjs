// @ts-check
/**
 * The API reference of the published packages (`pnpm run docs` → docs/api/, not committed): one
 * section per package under packages/ with its README, one module per export, documented from
 * the TypeScript source that each export's `typedoc` condition in package.json names. Warnings
 * are errors, so CI (.ci/run) catches broken `{@link}`s and paths; a package README links files
 * (`../torch-import/README.md`), not folders, which TypeDoc cannot copy.
 */
import { OptionDefaults } from 'typedoc';

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: 'gcnn',
  entryPointStrategy: 'packages',
  entryPoints: ['packages/*'],
  packageOptions: {
    tsconfig: 'tsconfig.json',
    // gcnn's files open with `@file` (what the file is for), which is not TypeDoc's `@module`.
    blockTags: [...OptionDefaults.blockTags, '@file'],
    excludeTags: [...OptionDefaults.excludeTags, '@file'],
    // A few exported signatures use types their package does not export (backends' Dawn, cli's
    // CliBackendOptions, group-conv/testing's Output, training/node's VariableSlot and
    // ReplicaWorker); they show as plain names instead of failing the build. Broken links and
    // paths and unknown tags still fail it.
    validation: { notExported: false },
    // Source links from the repository URL of package.json, not from the clone's git remote
    // (a clone without an `origin`, or with another one, would warn and so fail the build).
    disableGit: true,
    sourceLinkTemplate: 'https://github.com/gcnn/gcnn/blob/main/{path}#L{line}',
  },
  out: 'docs/api',
  readme: 'none',
  treatWarningsAsErrors: true,
};
