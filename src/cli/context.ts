/** A command's context: the composition root's, plus how this command prints its results. */
import { Context as AppContext } from '../app/context.js';
import { outputFormatOf } from '../app/settings.js';
import { Output } from './output.js';

export class Context extends AppContext {
  private cachedOutput?: Output;

  get output(): Output {
    // Only the output format, not every setting: `orgs config list` must work even when another
    // configured value is wrong, so that it can be seen and fixed.
    this.cachedOutput ??= new Output(outputFormatOf(this.flags, this.config), this.env, this.streams);
    return this.cachedOutput;
  }

  get stdout() {
    return this.streams.stdout;
  }

  get stderr() {
    return this.streams.stderr;
  }
}
