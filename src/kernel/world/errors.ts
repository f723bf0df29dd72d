/** A bad request to build or change the simulated world (unknown parent, pid in use, bad path...). */
export class WorldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorldError';
  }
}
