/**
 * Runs an update whenever asked, one at a time; requests made while one runs are merged into one
 * more run (the latest state wins).
 */
export class UpdateLoop {
  private pending = false;
  private running: Promise<void> | null = null;

  constructor(
    private readonly update: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * Asks for an update; resolves when no update is pending or running any more, rejects (after
   * `onError`) when one failed.
   */
  schedule(): Promise<void> {
    this.pending = true;
    this.running ??= this.run();
    return this.running;
  }

  private async run(): Promise<void> {
    try {
      while (this.pending) {
        this.pending = false;
        await this.update();
      }
    } catch (error) {
      this.onError(error);
      throw error;
    } finally {
      this.running = null;
    }
  }
}
