import './internal/register-tfjs';
export const x = 1;
