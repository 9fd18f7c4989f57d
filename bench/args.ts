import { parseArgs } from "node:util";

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

/** Reads the command line; never throws: bad input is a one-line usage error (exit 2). */
export function parseBenchArgs(argv: readonly string[]): Parsed {
    let values: { runs?: string; seconds?: string; tests?: boolean; help?: boolean };
    try {
        ({ values } = parseArgs({
            args: [...argv],
            options: {
                runs: { type: "string" },
                seconds: { type: "string" },
                tests: { type: "boolean" },
                help: { type: "boolean", short: "h" },
            },
            strict: true,
            allowPositionals: false,
        }));
    } catch (error) {
        return { exit: 2, text: `bench: ${(error as Error).message.split("\n")[0]} (${USAGE})` };
    }
    if (values.help) {
        return { exit: 0, text: HELP };
    }
    const runs = Number(values.runs ?? "15");
    if (!/^\d+$/.test(values.runs ?? "15") || runs < 1) {
        return { exit: 2, text: `bench: --runs must be a positive integer, got '${values.runs}' (${USAGE})` };
    }
    const seconds = Number(values.seconds ?? "3");
    if (!Number.isFinite(seconds) || seconds <= 0 || (values.seconds ?? "3").trim() === "") {
        return { exit: 2, text: `bench: --seconds must be a number greater than 0, got '${values.seconds}' (${USAGE})` };
    }
    return { options: { runs, seconds, tests: values.tests ?? false } };
}
