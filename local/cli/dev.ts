import { createServer } from 'node:net';
import { SCENARIOS, ScenarioName } from '../dev/dev_world';
import { PathProblem } from '../fs_checks';
import { helpText, oneOf, parseCommandLine, runTool, toggle, UsageError, wholeNumber } from './options';
import { kvsFileOption } from './shared_options';

/**
 * `npm run dev`: the admin page served from this machine against the local
 * Forge runtime, over a made-up scenario or over the installation an
 * `npm start -- --kvs-file FILE` run saved. The server itself is
 * local/dev/dev_server.ts; this is its command line.
 */

const COMMAND = 'npm run dev';

export const DEV_OPTIONS = {
  port: wholeNumber({ min: 1, max: 65_535, default: 8787, help: 'port on 127.0.0.1 to serve the admin page at' }),
  scenario: oneOf({
    choices: Object.keys(SCENARIOS) as ScenarioName[],
    default: 'done-12h',
    help: 'the made-up installation shown when no --kvs-file is given (see Scenarios above)',
  }),
  'kvs-file': kvsFileOption(
    'show the installation npm start -- --kvs-file FILE saved, with its reports and clock; the clock buttons ' +
      'advance it, and the next npm start on the file continues from there',
    'must hold an installation',
  ),
  help: toggle('show this text'),
};

export const DEV_HELP = helpText(
  `Usage: ${COMMAND} -- [options]`,
  'Builds the admin page and serves it at http://127.0.0.1:<port>/ inside a Jira-like frame, against the\n' +
    'local Forge runtime (KVS and Jira emulators, simulated clock), as a Jira administrator; add ?as=user or\n' +
    '?as=anonymous to the address for a standard user or no user. Ctrl-C stops it. Exit code 2 when an\n' +
    'option is wrong or the port is taken, 3 when the server failed.\n\nScenarios:\n' +
    Object.entries(SCENARIOS)
      .map(([name, text]) => `  ${name.padEnd(17)}${text}`)
      .join('\n'),
  DEV_OPTIONS,
);

/** Resolves when nothing listens on host:port; otherwise says why the server could not. */
function portFree(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(portProblem(err, host, port)));
    probe.listen(port, host, () => probe.close(() => resolve(null)));
  });
}

function portProblem(err: NodeJS.ErrnoException, host: string, port: number): string {
  if (err.code === 'EADDRINUSE') {
    return `port ${port} on ${host} is already in use (another npm run dev?); stop that or choose another with --port N`;
  }
  if (err.code === 'EACCES') return `port ${port} needs privileges here; choose one from 1024 to 65535`;
  return `port ${port} on ${host} cannot be used (${err.code ?? err.message})`;
}

async function main(): Promise<void> {
  let values;
  let given;
  try {
    ({ values, given } = parseCommandLine(COMMAND, DEV_OPTIONS, process.argv.slice(2), process.env));
    if (!values.help && values['kvs-file'] !== undefined && given.has('scenario')) {
      throw new UsageError(
        `${COMMAND}: --scenario and --kvs-file do not go together: a --kvs-file installation is shown as it is`,
      );
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(err.message);
    process.exit(err.exitCode);
  }
  if (values.help) {
    console.log(DEV_HELP);
    return;
  }
  const { HOST, startDevServer } = await import('../dev/dev_server');
  const portTaken = await portFree(HOST, values.port);
  if (portTaken) {
    console.error(`${COMMAND}: --port ${JSON.stringify(String(values.port))}: ${portTaken}`);
    process.exit(2);
  }
  const kvsFile = values['kvs-file'];
  let dev;
  try {
    dev = await startDevServer({
      port: values.port,
      ...(kvsFile ? { kvsFile } : { scenario: values.scenario }),
      build: 'always',
    });
  } catch (err) {
    // Between the check and the listen another program can take the port.
    if (err instanceof PathProblem) {
      console.error(`${COMMAND}: --kvs-file ${JSON.stringify(kvsFile)}: ${err.reason}`);
      process.exit(2);
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      console.error(
        `${COMMAND}: --port ${JSON.stringify(String(values.port))}: ${portProblem(err as NodeJS.ErrnoException, HOST, values.port)}`,
      );
      process.exit(2);
    }
    throw err;
  }
  const world = dev.world;
  console.log(`Admin page: ${dev.url}/`);
  console.log(
    kvsFile
      ? `Showing installation ${world.installation.cloudId} from ${kvsFile}` +
          (world.hoursSinceInstall() === null ? '' : `, ${world.hoursSinceInstall()!.toFixed(1)} h after install`) +
          '. The clock buttons advance it and save the clock in the file.'
      : `Scenario ${values.scenario}: ${SCENARIOS[values.scenario]}`,
  );
  console.log(`View it as a standard user: ${dev.url}/?as=user, with no user: ${dev.url}/?as=anonymous`);
  console.log('Ctrl-C stops the server' + (kvsFile ? ' and frees the file for npm start.' : '.'));
  const stop = () => void dev.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) runTool(COMMAND, main);
