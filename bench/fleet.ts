/**
 * A simulated fleet of the read-file function, to ground the capacity model in the code: many
 * instances of the real handler (`createReadFileHandler`, one per container, each with its own
 * caches) in one process, on a simulated clock, against in-process fakes of Cognito Identity and
 * S3 (`tests/support/s3Double.ts`) that count every call. Requests arrive as a Poisson stream,
 * each from a user drawn from a Zipf distribution and landing on a random warm container (Lambda
 * has no affinity); containers are recycled after `containerMinutes` at staggered times; each user
 * holds an IdToken of `idTokenMinutes`, renewed as it expires. The counted calls per second are
 * set against `exchangeCalls` of analysis/capacity.ts for the same parameters.
 *
 * The token verifier decodes instead of verifying (every token here is made by the simulation):
 * what is simulated is the exchange's caching, not the signature check. Nothing waits on a real
 * clock, so an hour of traffic runs in a second or two.
 */
import { exchangeCalls, lambdaFleet, Scenario, userGroups } from "../analysis/capacity";
import { CognitoIdentitySender } from "../lambdas/identityCredentials";
import { createReadFileHandler, IdTokenVerifier } from "../lambdas/readFile";
import { S3Double } from "../tests/support/s3Double";

export interface FleetOptions {
    /** Simulated minutes counted, after the warm-up: whole container lives, or recycling's sampling noise shows. */
    readonly minutes: number;
    /** Simulated minutes before counting, so every container has been recycled once. @default containerMinutes + idTokenMinutes */
    readonly warmupMinutes?: number;
    /** Seed of the simulation's random numbers. @default 22 */
    readonly seed?: number;
}

export interface FleetApi {
    readonly api: "cognito-identity:GetId" | "cognito-identity:GetCredentialsForIdentity" | "s3:GetObject";
    /** Calls per second counted in the simulation. */
    readonly simulated: number;
    /** Calls per second of the model. */
    readonly modelled: number;
    /** |simulated − modelled| / modelled. */
    readonly deviation: number;
}

export interface FleetResult {
    readonly name: string;
    readonly scenario: Scenario;
    readonly containers: number;
    readonly requests: number;
    readonly simulatedSeconds: number;
    readonly apis: FleetApi[];
    /** The largest deviation of the three. */
    readonly worstDeviation: number;
}

const REGION = "ap-northeast-1";
const PROVIDER_NAME = `cognito-idp.${REGION}.amazonaws.com/${REGION}_Fleet`;
const IDENTITY_POOL_ID = `${REGION}:00000000-1111-4222-8333-444444444444`;
const BUCKET = "fleet-user-files";
const PREFIX = "cognito-test";
/** The simulation's epoch: a fixed date, so runs repeat. */
const T0 = Date.UTC(2030, 0, 1);

/** A small, fast, seedable generator (mulberry32): runs repeat exactly. */
function randomOf(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** Draws a user rank 0..users-1 with probability proportional to 1/(rank+1)^skew. */
function zipfSampler(users: number, skew: number, random: () => number): () => number {
    const cdf = new Float64Array(users);
    let total = 0;
    for (let i = 0; i < users; i++) cdf[i] = total += (i + 1) ** -skew;
    return () => {
        const x = random() * total;
        let lo = 0;
        let hi = users - 1;
        while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (cdf[mid] < x) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    };
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()) as { sub: string; exp: number };

export async function simulateFleet(scenario: Scenario, options: FleetOptions & { readonly name?: string }): Promise<FleetResult> {
    const s = scenario;
    const random = randomOf(options.seed ?? 22);
    const drawUser = zipfSampler(s.users, s.userSkew, random);
    const { containers } = lambdaFleet(s.rps, s.durationMs);
    const L = s.containerMinutes * 60_000;
    const tau = s.idTokenMinutes * 60_000;
    const warmup = (options.warmupMinutes ?? s.containerMinutes + s.idTokenMinutes) * 60_000;
    const end = warmup + options.minutes * 60_000;
    let now = T0;

    const calls = { GetId: 0, GetCredentialsForIdentity: 0 };
    const identity: CognitoIdentitySender = {
        async getId(input) {
            calls.GetId++;
            return { IdentityId: `${REGION}:id-${claimsOf(input.Logins[PROVIDER_NAME]).sub}` };
        },
        async getCredentialsForIdentity() {
            calls.GetCredentialsForIdentity++;
            return {
                Credentials: { AccessKeyId: `ASIA${calls.GetCredentialsForIdentity}`, SecretKey: "s", SessionToken: "t", Expiration: new Date(now + s.credentialMinutes * 60_000) },
            };
        },
    };
    const s3 = new S3Double();
    // Every user's file exists: a read is one GetObject.
    s3.onGet = () => "data";
    const verifier: IdTokenVerifier = { verify: async (token) => claimsOf(token) };
    const newContainer = () =>
        createReadFileHandler(
            {
                identityPoolId: IDENTITY_POOL_ID,
                providerName: PROVIDER_NAME,
                bucket: BUCKET,
                prefix: PREFIX,
                cacheEntries: s.cacheEntries,
                revalidateAfterMs: s.revalidateMinutes * 60_000,
            },
            { verifier, identity, s3For: (credentials) => s3.readerFor(credentials), now: () => now, log: () => undefined },
        );

    // Staggered births: a container's age is uniform over its life, as the model takes it.
    const fleet = Array.from({ length: containers }, (_, j) => ({ handler: newContainer(), born: T0 - ((j + random()) * L) / containers }));
    // Each user renews its IdToken as it expires, at its own phase.
    const phase = Array.from({ length: s.users }, () => random() * tau);
    const tokens: { epoch: number; token: string }[] = new Array(s.users);
    const tokenOf = (user: number) => {
        const epoch = Math.floor((now - T0 + phase[user]) / tau);
        let held = tokens[user];
        if (held?.epoch !== epoch) {
            const exp = Math.floor((T0 + (epoch + 1) * tau - phase[user]) / 1000);
            held = tokens[user] = { epoch, token: `${b64({ alg: "none" })}.${b64({ sub: `user-${user}`, exp, epoch })}.c2ln` };
        }
        return held.token;
    };

    let counted: { GetId: number; GetCredentialsForIdentity: number; GetObject: number } | undefined;
    let requests = 0;
    for (;;) {
        now += (-Math.log(1 - random()) / s.rps) * 1000;
        if (now - T0 >= end) break;
        if (counted === undefined && now - T0 >= warmup) {
            counted = { ...calls, GetObject: s3.callsOf("GetObject").length };
        }
        const user = drawUser();
        const container = fleet[Math.floor(random() * containers)];
        while (now >= container.born + L) {
            container.handler = newContainer();
            container.born += L;
        }
        const response = await container.handler({ headers: { idtoken: tokenOf(user) }, requestContext: { requestId: String(requests) } });
        if (response.statusCode !== 200) throw new Error(`fleet: request ${requests} answered ${response.statusCode} ${response.body}`);
        if (counted !== undefined) requests++;
    }
    const seconds = (end - warmup) / 1000;
    const model = exchangeCalls(s);
    const start = counted ?? { GetId: 0, GetCredentialsForIdentity: 0, GetObject: 0 };
    const getObjects = s3.callsOf("GetObject").length - start.GetObject;
    const rows: [FleetApi["api"], number, number][] = [
        ["cognito-identity:GetId", (calls.GetId - start.GetId) / seconds, model.getId],
        ["cognito-identity:GetCredentialsForIdentity", (calls.GetCredentialsForIdentity - start.GetCredentialsForIdentity) / seconds, model.getCredentialsForIdentity],
        ["s3:GetObject", getObjects / seconds, s.rps],
    ];
    const apis = rows.map(([api, simulated, modelled]) => ({ api, simulated, modelled, deviation: Math.abs(simulated - modelled) / modelled }));
    return { name: options.name ?? "fleet", scenario: s, containers, requests, simulatedSeconds: seconds, apis, worstDeviation: Math.max(...apis.map((a) => a.deviation)) };
}

/** The scenario the tests and `npm run capacity -- --fleet` simulate: issue 22's regime, scaled down. */
export const FLEET_SCENARIOS: readonly { readonly name: string; readonly users: number; readonly rps: number; readonly parameters: Partial<Scenario> }[] = [
    {
        name: "skewed users (Zipf 1), small caches",
        users: 2000,
        rps: 20,
        parameters: { durationMs: 250, cacheEntries: 100, containerMinutes: 15, idTokenMinutes: 15, revalidateMinutes: 5, userSkew: 1 },
    },
    {
        name: "issue 22's regime: users far more than a container keeps, many containers",
        users: 10_000,
        rps: 20,
        parameters: { durationMs: 1000, cacheEntries: 100, containerMinutes: 15, idTokenMinutes: 15, revalidateMinutes: 5, userSkew: 0.8 },
    },
    {
        name: "uniform users, caches that hold them all",
        users: 300,
        rps: 20,
        parameters: { durationMs: 400, cacheEntries: 1000, containerMinutes: 15, idTokenMinutes: 15, revalidateMinutes: 5, userSkew: 0 },
    },
];

export function renderFleet(results: readonly FleetResult[]): string {
    const out: string[] = [];
    for (const r of results) {
        const s = r.scenario;
        out.push(
            `fleet: ${r.name}: ${s.users} users (Zipf ${s.userSkew}), ${s.rps} requests/s, ${r.containers} containers recycled every ${s.containerMinutes} min, caches ${s.cacheEntries}, IdToken ${s.idTokenMinutes} min, revalidate ${s.revalidateMinutes} min: ${r.requests} requests over ${r.simulatedSeconds / 60} simulated minutes`,
        );
        for (const a of r.apis) {
            out.push(`   ${a.api.padEnd(44)} simulated ${a.simulated.toFixed(3).padStart(8)}/s  model ${a.modelled.toFixed(3).padStart(8)}/s  ${(100 * a.deviation).toFixed(1).padStart(5)} % apart`);
        }
        out.push(`   worst: ${(100 * r.worstDeviation).toFixed(1)} % (groups of the model: ${userGroups(s.users, s.userSkew).length})`);
    }
    return out.join("\n");
}
