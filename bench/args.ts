import { parseArgs } from "node:util";

import { CliSpec, firstSentence, usageLines } from "../cli/usage";

export interface BenchOptions {
    /** Cold starts per variant. */
    readonly runs: number;
    /** Seconds of each warm throughput run. */
    readonly seconds: number;
    /** Also time `npm test`. */
    readonly tests: boolean;
}

export const USAGE = "usage: npm run bench -- [--runs N] [--seconds S] [--tests] [--help]";

export const HELP = `${USAGE}

Prints, in one run: archive sizes, AWS calls per request, cold start (a new Node process
loads the handler archive and serves its first request) of each packaging against a bare
Node process, and warm throughput. Figures are printed, never asserted.

  --runs N      cold starts per variant, a positive integer (default 15)
  --seconds S   length of each warm throughput run, in seconds, > 0 (default 3)
  --tests       also time the test suite (npm test)
  -h, --help    print this help and exit

example: npm run bench -- --runs 31 --seconds 5
`;

export type Parsed = { readonly options: BenchOptions } | { readonly exit: 0 | 2; readonly text: string };

export const BENCH_CLI: CliSpec = {
    name: "bench",
    options: {
        runs: { type: "string" },
        seconds: { type: "string" },
        tests: { type: "boolean" },
        help: { type: "boolean", short: "h" },
    },
};

/**
 * Reads the command line; never throws: bad input is answered as every tool of the project
 * answers it (cli/usage.ts), what is wrong and a hint, exit 2.
 */
export function parseBenchArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Parsed {
    const usage = (message: string): Parsed => ({ exit: 2, text: usageLines(BENCH_CLI, message, argv, env) });
    let values: { runs?: string; seconds?: string; tests?: boolean; help?: boolean };
    try {
        ({ values } = parseArgs({ args: [...argv], options: BENCH_CLI.options, strict: true, allowPositionals: false }) as { values: typeof values });
    } catch (error) {
        return usage(firstSentence((error as Error).message));
    }
    if (values.help) {
        return { exit: 0, text: HELP };
    }
    const runs = Number(values.runs ?? "15");
    if (!/^\d+$/.test(values.runs ?? "15") || runs < 1) {
        return usage(`--runs must be a positive integer, got '${values.runs}'`);
    }
    const seconds = Number(values.seconds ?? "3");
    if (!Number.isFinite(seconds) || seconds <= 0 || (values.seconds ?? "3").trim() === "") {
        return usage(`--seconds must be a number greater than 0, got '${values.seconds}'`);
    }
    return { options: { runs, seconds, tests: values.tests ?? false } };
}
