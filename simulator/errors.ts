/** An error a control call can map straight to an HTTP status and a JSON `{error, detail}` body. */
export class SimulatorError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
    this.name = 'SimulatorError';
  }
}
