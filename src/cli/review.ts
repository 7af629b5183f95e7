/** `orgs review`: findings about access worth a look (ACCESS.md, "Review"); exit 7 on `--fail-on`. */
import { action, type CommandTree, examples, organizationIdOption, QuietExit } from './command.js';

/** "A check found something" (CONTRACT.md). */
const FOUND_SOMETHING = 7;

export function addReviewCommand(tree: CommandTree): void {
  tree.add('review', [], (command) =>
    command
      .summary('find what deserves a look: orphaned entities, risky or unused API keys, idle access')
      .addHelpText(
        'after',
        examples('orgs review', 'orgs review --organization-id org1 --stale 30d', 'orgs review --fail-on warning'),
      )
      .description(
        'List the findings the caller may see, gravest first: the administrator every one; anyone else those ' +
          'on organizations where it may list the API keys and entities where it may list the collaborators.',
      )
      .addOption(organizationIdOption())
      .option('--stale <duration>', 'how long an API key may go unused: 90d (the default), 30d, 12h, …')
      .option('--fail-on <level>', 'exit 7 when a finding of this level or graver exists: info, warning or critical')
      .action(
        action(async (ctx, _args, options) => {
          const { findingRow, findingView, foundAtOrAbove, levelNamed } = await import('../core/review.js');
          const failOn = options.failOn === undefined ? undefined : levelNamed(options.failOn);
          const findings = await (
            await ctx.review()
          ).review({ organizationId: options.organizationId, stale: options.stale });
          await ctx.output.printListingOf({ items: findings }, findingView, findingRow);
          if (failOn !== undefined && foundAtOrAbove(findings, failOn)) throw new QuietExit(FOUND_SOMETHING);
        }),
      ),
  );
}
