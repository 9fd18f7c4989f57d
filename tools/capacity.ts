/**
 * `npm run capacity -- --users N --rps R [--format json]`: for a scenario of N active users sending
 * R requests/s in all, the AWS calls per second of each design of the read path against AWS's
 * default quotas (analysis/capacity.ts). Offline and instant: nothing is called. `--table` prints
 * docs/capacity.md's table of issue 22's scenarios; a test keeps the two equal.
 *
 * Exit codes: 0 printed; 2 a usage error.
 */
import { parseArgs } from "util";

import { capacity, CapacityParameters, DEFAULT_PARAMETERS, renderScenarioTable, renderText } from "../analysis/capacity";
import { CliSpec, firstSentence, usageHint } from "../cli/usage";

/** The hint under a usage error, unless the mistake looks like options npm took for want of `--` (cli/usage.ts). */
export const HINT = "run 'npm run capacity -- --help' for usage";

export const USAGE = `usage: npm run capacity -- --users N --rps R [options]
       npm run capacity -- --table
       npm run capacity -- --fleet [--minutes M]

Models each design of the read path (the seed's per-request exchange; this project's read-file
handler with per-container caches; the browser holding identity-pool credentials; the credential
floor) for N active users sending R requests/s in all: the calls per second of every AWS API on
the path, each against its default quota and the documentation page it comes from, the quota that
binds first, the most requests/s and active users at default quotas, the increases the scenario
needs, and who holds which credentials for how long. Offline: nothing is called.

  --users N                   active users (each active all the time; 50k and 1M are accepted)
  --rps R                     requests/s of all users together (k and M accepted)
  --format text|json          text (default), or JSON {scenario, designs: [{name, apis: [{api,
                              callsPerSecond, defaultQuota, quotaSource, ...}], maxRequestsPerSecond,
                              maxActiveUsers, binding, quotaIncreases, trade, ...}]}
  --table                     the markdown table of docs/capacity.md (issue 22's scenarios)
  --fleet                     simulate a fleet of read-file handlers (real handler code, fake AWS,
                              Zipf users, recycled containers) and print its counted calls/s
                              beside the model's; a few seconds per scenario
  --minutes M                 simulated minutes counted by --fleet (default 60)
  --duration-ms D             warm duration of the read-file handler (default ${DEFAULT_PARAMETERS.durationMs}: measured on loopback)
  --seed-duration-ms D        warm duration of the seed's handler (default ${DEFAULT_PARAMETERS.seedDurationMs}: measured on loopback)
  --container-minutes M       life of a Lambda execution environment (default ${DEFAULT_PARAMETERS.containerMinutes}: an assumption)
  --id-token-minutes M        IdToken validity, 5 to 1440 (default ${DEFAULT_PARAMETERS.idTokenMinutes}: the app client's)
  --floor-id-token-minutes M  IdToken validity of the credential-floor design (default ${DEFAULT_PARAMETERS.floorIdTokenMinutes})
  --credential-minutes M      identity-pool credential lifetime, > 5 (default ${DEFAULT_PARAMETERS.credentialMinutes})
  --sign-ins P                password sign-ins per active user per hour (default ${DEFAULT_PARAMETERS.signInsPerUserHour}: an assumption)
  --cache-entries K           entries of each per-container cache of the handler (default ${DEFAULT_PARAMETERS.cacheEntries})
  --revalidate-minutes M      reuse of a token's credentials in a container (default ${DEFAULT_PARAMETERS.revalidateMinutes})
  --user-skew S               Zipf exponent of the users' shares of the requests, 0 to 3 (default ${DEFAULT_PARAMETERS.userSkew}: uniform)
  -h, --help                  this help

example: npm run capacity -- --users 1M --rps 10k --duration-ms 40

Where each default comes from: --format json prints scenario.parameterSources; docs/capacity.md explains the model.`;

/** A count with an optional k (thousand) or M (million) suffix. */
function parseCount(text: string): number {
    const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([kKmM]?)\s*$/.exec(text);
    if (!m) return NaN;
    const factor = m[2] === "" ? 1 : m[2].toLowerCase() === "k" ? 1e3 : 1e6;
    return Number(m[1]) * factor;
}

type Parsed =
    | { readonly exit: 0 | 2; readonly out?: string; readonly err?: string[] }
    | { readonly run: () => string }
    /** `--fleet`: simulated minutes counted. */
    | { readonly fleet: number };

const NUMERIC: readonly { flag: string; key: keyof CapacityParameters; check: (v: number) => boolean; rule: string }[] = [
    { flag: "duration-ms", key: "durationMs", check: (v) => v > 0, rule: "a number of milliseconds above 0" },
    { flag: "seed-duration-ms", key: "seedDurationMs", check: (v) => v > 0, rule: "a number of milliseconds above 0" },
    { flag: "container-minutes", key: "containerMinutes", check: (v) => v > 0, rule: "a number of minutes above 0" },
    { flag: "id-token-minutes", key: "idTokenMinutes", check: (v) => v >= 5 && v <= 1440, rule: "a number of minutes from 5 to 1440 (Cognito's range)" },
    { flag: "floor-id-token-minutes", key: "floorIdTokenMinutes", check: (v) => v >= 5 && v <= 1440, rule: "a number of minutes from 5 to 1440 (Cognito's range)" },
    { flag: "credential-minutes", key: "credentialMinutes", check: (v) => v > 5, rule: "a number of minutes above 5 (credentials are renewed 5 minutes before expiry)" },
    { flag: "sign-ins", key: "signInsPerUserHour", check: (v) => v >= 0, rule: "a number of sign-ins per user per hour, 0 or more" },
    { flag: "cache-entries", key: "cacheEntries", check: (v) => Number.isInteger(v) && v >= 1, rule: "a positive integer" },
    { flag: "revalidate-minutes", key: "revalidateMinutes", check: (v) => v >= 0, rule: "a number of minutes, 0 or more" },
    { flag: "user-skew", key: "userSkew", check: (v) => v >= 0 && v <= 3, rule: "a Zipf exponent from 0 (uniform) to 3" },
];

export const CAPACITY_CLI: CliSpec = {
    name: "capacity",
    options: {
        users: { type: "string" },
        rps: { type: "string" },
        format: { type: "string" },
        table: { type: "boolean" },
        fleet: { type: "boolean" },
        minutes: { type: "string" },
        help: { type: "boolean", short: "h" },
        ...Object.fromEntries(NUMERIC.map((n) => [n.flag, { type: "string" as const }])),
    },
};

/** Reads the command line; never throws: bad input is `capacity: <what is wrong>` and the hint (exit 2). */
export function parseCapacityArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Parsed {
    const usage = (message: string): Parsed => ({ exit: 2, err: [`capacity: ${message}`, usageHint(CAPACITY_CLI, argv, env)] });
    let values: Record<string, string | boolean | undefined>;
    try {
        ({ values } = parseArgs({
            args: [...argv],
            options: CAPACITY_CLI.options,
            strict: true,
            allowPositionals: false,
        }) as { values: typeof values });
    } catch (error) {
        return usage(firstSentence((error as Error).message));
    }
    if (values.help) return { exit: 0, out: USAGE };
    const format = (values.format as string | undefined) ?? "text";
    if (format !== "text" && format !== "json") return usage(`--format must be text or json, got '${format}'`);
    const parameters: Partial<Record<keyof CapacityParameters, number>> = {};
    for (const n of NUMERIC) {
        const text = values[n.flag] as string | undefined;
        if (text === undefined) continue;
        const v = text.trim() === "" ? NaN : Number(text);
        if (!Number.isFinite(v) || !n.check(v)) return usage(`--${n.flag} must be ${n.rule}, got '${text}'`);
        parameters[n.key] = v;
    }
    if (values.minutes !== undefined && !values.fleet) return usage("--minutes applies to --fleet only");
    if (values.fleet) {
        if (values.table || values.users !== undefined || values.rps !== undefined || values.format !== undefined || Object.keys(parameters).length > 0) {
            return usage("--fleet simulates its own fixed scenarios: give it alone, or with --minutes");
        }
        const minutes = values.minutes === undefined ? 60 : Number(values.minutes);
        if (!Number.isFinite(minutes) || minutes < 1 || minutes > 1440) return usage(`--minutes must be a number of minutes from 1 to 1440, got '${values.minutes}'`);
        return { fleet: minutes };
    }
    if (values.table) {
        if (values.users !== undefined || values.rps !== undefined || values.format !== undefined) {
            return usage("--table prints issue 22's fixed scenarios: give it without --users, --rps or --format");
        }
        return { run: () => renderScenarioTable(undefined, parameters) };
    }
    if (values.users === undefined) return usage("--users is required (active users, e.g. --users 50k)");
    const users = parseCount(values.users as string);
    if (!Number.isInteger(users) || users < 1) return usage(`--users must be a whole number of users, 1 or more, got '${values.users}'`);
    if (values.rps === undefined) return usage("--rps is required (requests/s of all users, e.g. --rps 500)");
    const rps = parseCount(values.rps as string);
    if (!Number.isFinite(rps) || rps <= 0) return usage(`--rps must be a number of requests per second above 0, got '${values.rps}'`);
    return {
        run: () => {
            const report = capacity(users, rps, parameters);
            return format === "json" ? JSON.stringify(report, null, 2) : renderText(report);
        },
    };
}

/** The fleet simulation beside the model, for each of its scenarios (bench/fleet.ts). */
export async function runFleet(minutes: number): Promise<string> {
    // Loaded only here: the handler's code and the test doubles are not the model's, and the model stays instant.
    const { FLEET_SCENARIOS, renderFleet, simulateFleet } = require("../bench/fleet") as typeof import("../bench/fleet");
    const results = [];
    for (const f of FLEET_SCENARIOS) {
        results.push(await simulateFleet({ ...DEFAULT_PARAMETERS, ...f.parameters, users: f.users, rps: f.rps }, { minutes, name: f.name }));
    }
    return renderFleet(results);
}

export function main(argv: readonly string[], out: (text: string) => void = console.log, err: (text: string) => void = console.error): number {
    const parsed = parseCapacityArgs(argv);
    if ("run" in parsed) {
        out(parsed.run());
        return 0;
    }
    if ("fleet" in parsed) {
        runFleet(parsed.fleet).then(out, (error: unknown) => {
            err(`capacity: the fleet simulation failed: ${(error as Error).message}`);
            process.exitCode = 1;
        });
        return 0;
    }
    if (parsed.out !== undefined) out(parsed.out);
    for (const line of parsed.err ?? []) err(line);
    return parsed.exit;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
