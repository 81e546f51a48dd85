/**
 * `kassa` command line: dispatches to the program tools (quote, validate,
 * refund), the installer's scanner tools (scanners list|watch) and the
 * operator's database tools (db backup|restore|verify|migrate|mark-restored).
 */
const [command, ...args] = process.argv.slice(2);

const usage = `Usage:
  kassa validate PROGRAM.json
  kassa quote --program P.json --basket B.json [--member M.json] [--at ISO-DATE] [--redeem REWARD-ID | --pay-points N]
  kassa refund --program P.json --sale S.json --lines R.json [--member M.json] [--at ISO-DATE]
  kassa scanners list
  kassa scanners watch [--vendor-id N --product-id N]
  kassa db backup --out FILE | db restore FILE [--force] | db verify FILE | db migrate | db mark-restored`;

const run = async (): Promise<number> => {
  switch (command) {
    case 'validate':
    case 'quote':
    case 'refund': {
      const { runEngineCommand } = await import('./engine-commands');
      return runEngineCommand(command, args);
    }
    case 'scanners': {
      const { runScannerCommand } = await import('./scanner-commands');
      return runScannerCommand(args);
    }
    case 'db': {
      const { runDbCommand } = await import('./db-commands');
      return runDbCommand(args);
    }
    default:
      process.stderr.write(`${usage}\n`);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
};

process.exitCode = await run();

export {};
