/**
 * A capacity model of the read path: for a scenario (active users, requests per second) and each
 * design of reading a user's own S3 file, the calls per second of every AWS API on the path, set
 * against AWS's default quotas (analysis/capacityQuotas.ts). `npm run capacity` prints it;
 * docs/capacity.md explains it.
 *
 * The model is steady state and average rate: every active user is active all the time, sends
 * its share of the requests (the same share by default: uniform, no skew, the worst case for
 * caches; `userSkew` gives Zipf-distributed shares), and renews its tokens and credentials on time. Peaks are the reader's to add (Cognito's quotas page suggests a
 * 3:1 peak-to-average ratio for sign-ins).
 */
import { FACTS, Quota, QUOTAS, QuotaId } from "./capacityQuotas";

export interface CapacityParameters {
    /** Warm duration of the read-file handler, ms. */
    readonly durationMs: number;
    /** Warm duration of the seed's per-request handler, ms. */
    readonly seedDurationMs: number;
    /** How long a Lambda execution environment lives before Lambda recycles it, minutes. */
    readonly containerMinutes: number;
    /** IdToken validity of the app client, minutes (the seed, the exchange, the browser flow). */
    readonly idTokenMinutes: number;
    /** IdToken validity the credential-floor design sets, minutes. */
    readonly floorIdTokenMinutes: number;
    /** Lifetime of identity-pool (enhanced flow) credentials, minutes. */
    readonly credentialMinutes: number;
    /** Password sign-ins per active user per hour (each a new session on a device). */
    readonly signInsPerUserHour: number;
    /** Entries of each per-container cache of the read-file handler. */
    readonly cacheEntries: number;
    /** Longest reuse of credentials issued for one token in a container, minutes. */
    readonly revalidateMinutes: number;
    /**
     * Skew of the users' shares of the requests: the user of rank i sends a share proportional to
     * 1/i^userSkew (Zipf). 0: every user the same share.
     */
    readonly userSkew: number;
}

export interface Scenario extends CapacityParameters {
    readonly users: number;
    readonly rps: number;
}

/** Where each default parameter comes from. */
export const PARAMETER_SOURCES: Record<keyof CapacityParameters, string> = {
    durationMs:
        "npm run bench: warm throughput of the deployed read-file bundle in one process, 1663 requests/s with AWS answered on loopback in the run the model was set from (1000/1663 ms; docs/performance.md lists later runs, 1120-1564); loopback has no network, so on Lambda the duration is longer: use the function's Duration metric",
    seedDurationMs:
        "npm run bench: the original per-request flow (bench/articleFlow.ts: AdminGetUser, GetId, GetCredentialsForIdentity, GetObject) at 178 requests/s in one process on loopback in the run the model was set from (1000/178 ms; later runs 107-133)",
    containerMinutes: "an assumption: AWS publishes no lifetime for execution environments; count the function's init log lines to measure yours",
    idTokenMinutes: "Pulumi.yaml: the stack key idTokenValidityMinutes defaults to 60, and the shipped stack files keep it",
    floorIdTokenMinutes: `Cognito's longest IdToken validity, 1 day (${FACTS.idTokenValidityRange.source})`,
    credentialMinutes: `identity-pool enhanced-flow credentials last one hour (${FACTS.credentialLifetime.source}; not read on the page)`,
    signInsPerUserHour: "an assumption: the share of active users who sign in with a password in an hour (a new device, a sign-out, an expired refresh token)",
    cacheEntries: "lambdas/readFile.ts: cacheEntries defaults to 1000 (identity ids per user, credentials per token)",
    revalidateMinutes: "lambdas/readFile.ts: revalidateAfterMs defaults to 5 minutes",
    userSkew: "an assumption: 0, every active user sending the same share of the requests, the worst case for the exchange's caches; web traffic is often near Zipf 1",
};

export const DEFAULT_PARAMETERS: CapacityParameters = {
    durationMs: Math.round((1000 / 1663) * 1000) / 1000,
    seedDurationMs: Math.round((1000 / 178) * 100) / 100,
    containerMinutes: 120,
    idTokenMinutes: 60,
    floorIdTokenMinutes: 1440,
    credentialMinutes: FACTS.credentialLifetime.minutes,
    signInsPerUserHour: 0.05,
    cacheEntries: 1000,
    revalidateMinutes: 5,
    userSkew: 0,
};

/**
 * Credentials closer than this to expiry are renewed: the read-file handler's `refreshMarginMs`
 * (lambdas/readFile.ts) and the AWS SDK's credential refresh window alike.
 */
export const REFRESH_MARGIN_MINUTES = 5;
/** client/credentials.ts: an assumed role's session lasts 900 s unless set. */
export const CALLER_SESSION_SECONDS = 900;

export type DesignKey = "seed" | "exchange" | "browser" | "floor";

export interface ApiUse {
    /** `service:Operation`. */
    readonly api: string;
    readonly quota: QuotaId;
    /** Calls per second (for `lambda:Invoke (concurrency)`, concurrent executions). */
    readonly callsPerSecond: number;
    readonly note?: string;
}

export interface Design {
    readonly key: DesignKey;
    readonly name: string;
    /** What is called on the path, in one sentence. */
    readonly path: string;
    readonly uses: (s: Scenario) => ApiUse[];
    readonly trade: (s: Scenario) => string;
    readonly notes?: (s: Scenario) => string[];
}

/** Sign-in (SRP: InitiateAuth, then RespondToAuthChallenge with the password verifier) and token refresh. */
function userPoolCalls(s: Scenario, idTokenMinutes: number): ApiUse[] {
    const signIns = (s.users * s.signInsPerUserHour) / 3600;
    const refreshes = s.users / (idTokenMinutes * 60);
    return [
        {
            api: "cognito-idp:InitiateAuth",
            quota: "cognito-idp:UserAuthentication",
            callsPerSecond: signIns + refreshes,
            note: `${round(refreshes)}/s token refreshes (REFRESH_TOKEN_AUTH, one per active user per ${idTokenMinutes}-minute IdToken) + ${round(signIns)}/s sign-ins (USER_SRP_AUTH)`,
        },
        {
            api: "cognito-idp:RespondToAuthChallenge",
            quota: "cognito-idp:RespondToAuthChallenge",
            callsPerSecond: signIns,
            note: "PASSWORD_VERIFIER of each SRP sign-in; an MFA code adds one more",
        },
    ];
}

/** 1 − e^(−x), exact for small x. */
const oneMinusExp = (x: number) => -Math.expm1(-x);
/** (1 − e^(−x)) / x, its limit 1 at 0. */
const saturation = (x: number) => (x < 1e-12 ? 1 : oneMinusExp(x) / x);

/** Concurrency of a handler (Little's law) and the warm containers it keeps. */
export function lambdaFleet(rps: number, durationMs: number): { concurrency: number; containers: number } {
    const concurrency = (rps * durationMs) / 1000;
    return { concurrency, containers: Math.max(1, Math.ceil(concurrency)) };
}

export interface ExchangeCalls {
    readonly concurrency: number;
    readonly containers: number;
    /** Characteristic time of each container's LRU caches (Che's approximation), seconds. */
    readonly cacheTimeSeconds: number;
    /** Share of requests that find the user's identity id in the container. */
    readonly identityHitRate: number;
    /** Share of requests served with cached credentials. */
    readonly credentialHitRate: number;
    readonly getId: number;
    readonly getCredentialsForIdentity: number;
    /** JWKS fetches per second: one per new container. */
    readonly jwks: number;
}

/**
 * The read-file handler's AWS calls per second (lambdas/readFile.ts, identityCredentials.ts).
 * Each request lands on a random warm container (Lambda has no affinity); a container keeps two
 * LRU maps of `cacheEntries` entries: identity id per user, credentials per token (reused at most
 * `revalidateMinutes`, never past the token's expiry or the credentials' less 5 minutes).
 *
 * With U users, user i sending a share r_i of the R requests/s, over C containers, a (user,
 * container) pair sees requests at μ_i = R·r_i/C (r_i = 1/U for uniform users; Zipf shares are
 * grouped by `userGroups`). An LRU entry survives while the entry's key is asked for again within
 * the cache's characteristic time T, where Σ_i (1 − e^(−μ_i·T)) = K (Che's approximation; T = ∞
 * when U ≤ K). A container's age is uniform over its lifetime L:
 *  - identity id found: P(the user's previous request at this container was within min(T, age))
 *  - credentials: each issue is followed by H hits, the requests within the entry's life
 *    (min(revalidate, remaining token life, remaining container life)) before a gap longer than
 *    T evicts it, H ≈ min(μ·E[life], p/(1 − p)), p = 1 − e^(−μT); GetCredentialsForIdentity is
 *    R/(1 + H).
 */
export function exchangeCalls(s: Scenario): ExchangeCalls {
    const { concurrency, containers } = lambdaFleet(s.rps, s.durationMs);
    const groups = userGroups(s.users, s.userSkew);
    const K = s.cacheEntries;
    const L = s.containerMinutes * 60;
    const tau = s.idTokenMinutes * 60;
    const V = Math.min(s.revalidateMinutes, s.credentialMinutes - REFRESH_MARGIN_MINUTES) * 60;
    // Requests/s of one user of a group at one container.
    const rateOf = (g: { count: number; fraction: number }) => (s.rps * g.fraction) / (g.count * containers);
    const T = cacheTime(groups.map((g) => ({ count: g.count, rate: rateOf(g) })), K);
    // E[min(V, remaining token life, remaining container life)], both remaining lives uniform.
    const m = Math.min(V, L, tau);
    const life = m - ((m * m) / 2) * (1 / L + 1 / tau) + (m * m * m) / (3 * L * tau);

    let getId = 0;
    let getCredentialsForIdentity = 0;
    let identityMisses = 0;
    for (const group of groups) {
        const mu = rateOf(group);
        const requests = s.rps * group.fraction;
        // E[1 − e^(−μ·min(T, A))], A uniform on [0, L].
        let identityHitRate: number;
        if (T >= L) {
            identityHitRate = 1 - saturation(mu * L);
        } else {
            const q = oneMinusExp(mu * T);
            identityHitRate = (T - (mu > 0 ? q / mu : 0) + (L - T) * q) / L;
        }
        const p = T === Infinity ? 1 : oneMinusExp(mu * T);
        const evictionBound = p >= 1 ? Infinity : p / (1 - p);
        const hits = Math.min(mu * life, evictionBound);
        const issues = requests / (1 + hits);
        getCredentialsForIdentity += issues;
        // A request that misses the identity id misses the credentials too (a hit refreshes both).
        getId += Math.min(issues, requests * (1 - identityHitRate));
        identityMisses += requests * (1 - identityHitRate);
    }
    return {
        concurrency,
        containers,
        cacheTimeSeconds: T,
        identityHitRate: 1 - identityMisses / s.rps,
        credentialHitRate: 1 - getCredentialsForIdentity / s.rps,
        getId,
        getCredentialsForIdentity,
        jwks: containers / L,
    };
}

/**
 * Users grouped by their share of the requests: `count` users sending `fraction` of them together. One
 * group when `skew` is 0; otherwise ranks in groups growing 3 % a step (about 470 groups for a
 * million users), each share the Zipf weight of its ranks (midpoint rule past single ranks).
 */
export function userGroups(users: number, skew: number): { count: number; fraction: number }[] {
    if (skew === 0 || users <= 1) return [{ count: users, fraction: 1 }];
    const weightOf = (from: number, to: number) =>
        to - from === 1 ? from ** -skew : skew === 1 ? Math.log((to - 0.5) / (from - 0.5)) : ((to - 0.5) ** (1 - skew) - (from - 0.5) ** (1 - skew)) / (1 - skew);
    const ranges: { count: number; weight: number }[] = [];
    for (let from = 1; from <= users; ) {
        const to = Math.min(users + 1, Math.max(from + 1, Math.ceil(from * 1.03)));
        ranges.push({ count: to - from, weight: weightOf(from, to) });
        from = to;
    }
    const total = ranges.reduce((sum, r) => sum + r.weight, 0);
    return ranges.map((r) => ({ count: r.count, fraction: r.weight / total }));
}

/**
 * The characteristic time T of an LRU cache of `capacity` entries (Che's approximation): the
 * T where the expected number of keys asked for within T, Σ count·(1 − e^(−rate·T)), is the
 * capacity; Infinity when every key fits.
 */
export function cacheTime(keys: readonly { count: number; rate: number }[], capacity: number): number {
    const total = keys.reduce((sum, k) => sum + k.count, 0);
    if (total <= capacity) return Infinity;
    if (keys.length === 1) return -Math.log1p(-capacity / total) / keys[0].rate;
    const occupied = (T: number) => keys.reduce((sum, k) => sum + k.count * oneMinusExp(k.rate * T), 0);
    let lo = 0;
    let hi = 1;
    while (occupied(hi) < capacity) hi *= 2;
    for (let i = 0; i < 100 && hi - lo > hi * 1e-12; i++) {
        const mid = (lo + hi) / 2;
        if (occupied(mid) < capacity) lo = mid;
        else hi = mid;
    }
    return (lo + hi) / 2;
}

const pct = (x: number) => `${(100 * x).toFixed(x < 0.01 ? 2 : 1)}%`;

export const DESIGNS: readonly Design[] = [
    {
        key: "seed",
        name: "seed: GetId + GetCredentialsForIdentity on every request",
        path: "client → API Gateway (IAM-authorized REST API) → Lambda: AdminGetUser, GetId, GetCredentialsForIdentity, then S3 with the user's credentials (s3fs: HEAD, then GET), nothing cached",
        uses: (s) => {
            const fleet = lambdaFleet(s.rps, s.seedDurationMs);
            return [
                { api: "execute-api:Invoke", quota: "execute-api:Invoke", callsPerSecond: s.rps },
                { api: "lambda:Invoke", quota: "lambda:Invoke", callsPerSecond: s.rps },
                {
                    api: "lambda:Invoke (concurrency)",
                    quota: "lambda:ConcurrentExecutions",
                    callsPerSecond: fleet.concurrency,
                    note: `requests/s x ${s.seedDurationMs} ms`,
                },
                { api: "cognito-idp:AdminGetUser", quota: "cognito-idp:UserRead", callsPerSecond: s.rps, note: "checks the user exists; the token itself is decoded unverified" },
                { api: "cognito-identity:GetId", quota: "cognito-identity:GetId", callsPerSecond: s.rps },
                { api: "cognito-identity:GetCredentialsForIdentity", quota: "cognito-identity:GetCredentialsForIdentity", callsPerSecond: s.rps },
                { api: "s3:HeadObject", quota: "s3:GET", callsPerSecond: s.rps, note: "s3fs reads the object's size before reading it; counts with GET" },
                { api: "s3:GetObject", quota: "s3:GET", callsPerSecond: s.rps },
                ...userPoolCalls(s, s.idTokenMinutes),
            ];
        },
        trade: (s) =>
            `The browser holds the IdToken (${s.idTokenMinutes} min) and the refresh token; the function's role calls AdminGetUser and receives each user's identity-pool credentials for one request, then drops them. The token is decoded without verifying it, so whoever can invoke the API can present any token the identity pool accepts. Nothing is kept between requests, so a sign-out or deletion is seen at once, at the price of three Cognito calls per read.`,
        notes: () => [
            "The seed's frontend also signs each API call with identity-pool credentials from its getCredentialsFromIdToken helper, whose code is in an earlier article, not in the seeds: if it runs per call as its sample shows, GetId and GetCredentialsForIdentity double and the seed tops out at half the figure above. Only the server side is counted.",
        ],
    },
    {
        key: "exchange",
        name: "server-side exchange: this project's read-file handler, per-container caches",
        path: "caller service (assumed stage role, SigV4) → API Gateway (IAM-authorized HTTP API) → Lambda: verify the IdToken locally, GetId and GetCredentialsForIdentity unless cached in this container, then GetObject with the user's credentials",
        uses: (s) => {
            const x = exchangeCalls(s);
            return [
                { api: "execute-api:Invoke", quota: "execute-api:Invoke", callsPerSecond: s.rps },
                { api: "lambda:Invoke", quota: "lambda:Invoke", callsPerSecond: s.rps },
                {
                    api: "lambda:Invoke (concurrency)",
                    quota: "lambda:ConcurrentExecutions",
                    callsPerSecond: x.concurrency,
                    note: `requests/s x ${s.durationMs} ms; ${x.containers} warm container(s)`,
                },
                {
                    api: "cognito-identity:GetId",
                    quota: "cognito-identity:GetId",
                    callsPerSecond: x.getId,
                    note: `identity id found in the container for ${pct(x.identityHitRate)} of requests`,
                },
                {
                    api: "cognito-identity:GetCredentialsForIdentity",
                    quota: "cognito-identity:GetCredentialsForIdentity",
                    callsPerSecond: x.getCredentialsForIdentity,
                    note: `cached credentials serve ${pct(x.credentialHitRate)} of requests`,
                },
                { api: "cognito-idp:jwks.json", quota: "cognito-idp:jwks.json", callsPerSecond: x.jwks, note: "one JWKS fetch per new container" },
                {
                    api: "sts:AssumeRole",
                    quota: "sts:AssumeRole",
                    callsPerSecond: x.containers / (CALLER_SESSION_SECONDS - REFRESH_MARGIN_MINUTES * 60),
                    note: `the caller's, in the caller's account: one per caller container per ${CALLER_SESSION_SECONDS} s session less the SDK's 5-minute margin, assuming as many caller containers as ours`,
                },
                { api: "s3:GetObject", quota: "s3:GET", callsPerSecond: s.rps },
                ...userPoolCalls(s, s.idTokenMinutes),
            ];
        },
        trade: (s) =>
            `The end user holds the IdToken (${s.idTokenMinutes} min) and refresh token and gives the IdToken to the caller service, which holds its assumed-role credentials (${CALLER_SESSION_SECONDS / 60}-minute sessions) and forwards the token. Each read-file container holds, in memory only, identity ids and the credentials issued for each token (keyed by its SHA-256), reused at most ${s.revalidateMinutes} minutes, so a user signed out globally or deleted is refused within ${s.revalidateMinutes} minutes. No store outside a container's memory holds users' credentials; reads are decided by IAM on the user's own credentials.`,
        notes: (s) => {
            const x = exchangeCalls(s);
            return [
                `${x.containers} warm container(s) share nothing and requests land at random: each holds ${s.cacheEntries} of ${s.users} users' entries, so caching saves little once users outnumber what one container keeps.`,
                "The project's own route throttle of the HTTP API (apiThrottleRateLimit: prod 200/s burst 400, stag 50/100, deve 20/40) binds before any AWS quota: raise it in the stack file.",
            ];
        },
    },
    {
        key: "browser",
        name: "browser holds identity-pool credentials: a credential provider per IdToken, S3 directly",
        path: "browser, as in the seed articles' frontend: fromCognitoIdentityPool with the IdToken (GetId, then GetCredentialsForIdentity, renewed 5 minutes before expiry), then reads and writes its own folder in S3 directly; a new provider, and so a new GetId, for each new IdToken",
        uses: (s) => {
            const tokenSeconds = s.idTokenMinutes * 60;
            const perToken = Math.ceil(s.idTokenMinutes / (s.credentialMinutes - REFRESH_MARGIN_MINUTES));
            return [
                {
                    api: "cognito-identity:GetId",
                    quota: "cognito-identity:GetId",
                    callsPerSecond: s.users / tokenSeconds,
                    note: "one per IdToken: fromCognitoIdentityPool keeps the identity id only under a userIdentifier, which this flow does not pass",
                },
                {
                    api: "cognito-identity:GetCredentialsForIdentity",
                    quota: "cognito-identity:GetCredentialsForIdentity",
                    callsPerSecond: (s.users * perToken) / tokenSeconds,
                    note: `${perToken} per ${s.idTokenMinutes}-minute IdToken (credentials renewed ${REFRESH_MARGIN_MINUTES} minutes before their ${s.credentialMinutes}-minute expiry)`,
                },
                { api: "s3:GetObject", quota: "s3:GET", callsPerSecond: s.rps },
                ...userPoolCalls(s, s.idTokenMinutes),
            ];
        },
        trade: (s) =>
            `The browser holds the IdToken (${s.idTokenMinutes} min), the refresh token and the user's identity-pool credentials for up to ${s.credentialMinutes} minutes, usable against S3 from anywhere: script injected into the page can read and write the user's folder until they expire, and a sign-out does not revoke credentials already issued. IAM limits them to the user's own prefix. No server is on the read path and no function role ever holds a user's credentials.`,
    },
    {
        key: "floor",
        name: "credential floor: identity id kept per user and device, credentials held for their lifetime",
        path: "client: GetId once per user and device (identity id kept in device storage, keyed by user), GetCredentialsForIdentity once per credential lifetime (renewed 5 minutes before expiry) with a day-long IdToken, then S3 directly with the user's own credentials",
        uses: (s) => {
            const signIns = (s.users * s.signInsPerUserHour) / 3600;
            return [
                {
                    api: "cognito-identity:GetId",
                    quota: "cognito-identity:GetId",
                    callsPerSecond: signIns,
                    note: "first sign-in on a device only (bounded here by all sign-ins); none on the steady path",
                },
                {
                    api: "cognito-identity:GetCredentialsForIdentity",
                    quota: "cognito-identity:GetCredentialsForIdentity",
                    callsPerSecond: s.users / ((s.credentialMinutes - REFRESH_MARGIN_MINUTES) * 60),
                    note: `${(s.credentialMinutes / (s.credentialMinutes - REFRESH_MARGIN_MINUTES)).toFixed(2)}x one issue per active user per ${s.credentialMinutes}-minute credential lifetime`,
                },
                { api: "s3:GetObject", quota: "s3:GET", callsPerSecond: s.rps },
                ...userPoolCalls(s, s.floorIdTokenMinutes),
            ];
        },
        trade: (s) =>
            `As the browser flow, and the device also keeps the identity id (an identifier, useless without a valid IdToken) and an IdToken valid ${s.floorIdTokenMinutes / 60} h instead of ${s.idTokenMinutes / 60} h: a stolen IdToken obtains credentials for up to that long unless the user signs out globally (the identity pool's server-side token check then refuses it), and credentials already issued last up to ${s.credentialMinutes} minutes after a sign-out. No shared store of users' credentials exists, so no function role or pipeline gains reach.`,
        notes: (s) => [
            `Needs the stage's idTokenValidityMinutes set to ${s.floorIdTokenMinutes} (its stack file); with more than 60, a demoted admin keeps the admin route until the IdToken issued before the demotion expires plus the credentials' ${s.credentialMinutes} minutes, unless signed out globally, and the plan reports that promise broken.`,
        ],
    },
];

export interface ApiReport {
    readonly api: string;
    readonly callsPerSecond: number;
    readonly defaultQuota: number;
    readonly quotaSource: string;
    readonly quota: QuotaId;
    readonly unit: Quota["unit"];
    readonly scope: string;
    readonly verified: boolean;
    /** Calls against the quota, all APIs that share it together. */
    readonly utilization: number;
    readonly note?: string;
}

export interface QuotaIncrease {
    readonly quota: QuotaId;
    readonly defaultQuota: number;
    readonly needed: number;
    readonly how: string;
}

export interface DesignReport {
    readonly key: DesignKey;
    readonly name: string;
    readonly path: string;
    readonly apis: ApiReport[];
    /** Cognito API calls per second, identity pool and user pool (JWKS fetches aside). */
    readonly cognitoCallsPerSecond: number;
    /** The scenario scaled (users and requests alike) until the first default quota is reached. */
    readonly maxRequestsPerSecond: number;
    readonly maxActiveUsers: number;
    /** The quota reached first as the scenario grows. */
    readonly binding: QuotaId;
    /** The quotas the scenario itself exceeds. */
    readonly quotaIncreases: QuotaIncrease[];
    readonly trade: string;
    readonly notes: string[];
}

export interface CapacityReport {
    readonly scenario: { readonly users: number; readonly requestsPerSecond: number; readonly parameters: CapacityParameters; readonly parameterSources: typeof PARAMETER_SOURCES };
    readonly designs: DesignReport[];
}

const round = (x: number) => (x >= 100 ? Math.round(x) : x >= 1 ? Math.round(x * 100) / 100 : Number(x.toPrecision(3)));

/** Usage of each quota that binds: calls of every API on it, summed. */
function usageByQuota(uses: ApiUse[]): Map<QuotaId, number> {
    const usage = new Map<QuotaId, number>();
    for (const use of uses) usage.set(use.quota, (usage.get(use.quota) ?? 0) + use.callsPerSecond);
    return usage;
}

function worst(uses: ApiUse[]): { quota: QuotaId; ratio: number } {
    let best: { quota: QuotaId; ratio: number } = { quota: "execute-api:Invoke", ratio: -1 };
    for (const [quota, calls] of usageByQuota(uses)) {
        if (!QUOTAS[quota].binds) continue;
        const ratio = calls / QUOTAS[quota].value;
        if (ratio > best.ratio) best = { quota, ratio };
    }
    return best;
}

/**
 * The largest factor k such that the scenario with k× its users and k× its requests stays within
 * every default quota that binds, and the quota reached there. Calls grow with k (caches only hit
 * less as the fleet grows), so bisection finds it.
 */
export function maxScale(design: Design, s: Scenario): { scale: number; binding: QuotaId } {
    const scaled = (k: number): Scenario => ({ ...s, users: s.users * k, rps: s.rps * k });
    const fits = (k: number) => worst(design.uses(scaled(k))).ratio <= 1;
    let lo = 0;
    let hi = 1;
    while (fits(hi)) {
        lo = hi;
        hi *= 2;
        if (hi > 1e12) throw new Error(`${design.key}: no quota binds`);
    }
    for (let i = 0; i < 200 && hi - lo > hi * 1e-9; i++) {
        const mid = (lo + hi) / 2;
        if (fits(mid)) lo = mid;
        else hi = mid;
    }
    return { scale: lo, binding: worst(design.uses(scaled(hi))).quota };
}

function increaseHow(quota: Quota): string {
    if (!quota.binds) return "none to request: S3 partitions the bucket by itself as load persists (503 SlowDown meanwhile); per-user prefixes spread the keys";
    if (quota.id.startsWith("cognito-identity:")) return "adjustable: contact your AWS account team";
    if (quota.id === "cognito-idp:jwks.json") return "not adjustable";
    if (quota.id.startsWith("cognito-idp:")) return "adjustable: Service Quotas (account-level max), then UpdateProvisionedLimit; billed above the default";
    if (quota.id === "sts:AssumeRole") return "adjustable: AWS Support ticket (in the caller's account)";
    return "adjustable: Service Quotas";
}

export function designReport(design: Design, s: Scenario): DesignReport {
    const uses = design.uses(s);
    const usage = usageByQuota(uses);
    const apis: ApiReport[] = uses.map((use) => {
        const quota = QUOTAS[use.quota];
        return {
            api: use.api,
            callsPerSecond: round(use.callsPerSecond),
            defaultQuota: quota.value,
            quotaSource: quota.source,
            quota: quota.id,
            unit: use.quota === "lambda:ConcurrentExecutions" ? "concurrent executions" : "requests/s",
            scope: quota.scope,
            verified: quota.verified,
            utilization: round((usage.get(use.quota) ?? 0) / quota.value),
            ...(use.note ? { note: use.note } : {}),
        };
    });
    const quotaIncreases: QuotaIncrease[] = [...usage]
        .filter(([quota, calls]) => calls > QUOTAS[quota].value)
        .map(([quota, calls]) => ({ quota, defaultQuota: QUOTAS[quota].value, needed: Math.ceil(calls), how: increaseHow(QUOTAS[quota]) }));
    const { scale, binding } = maxScale(design, s);
    // Identity pool and user pool API calls; JWKS documents are static files, counted apart.
    const cognitoCallsPerSecond = uses.filter((u) => u.api.startsWith("cognito-") && u.quota !== "cognito-idp:jwks.json").reduce((sum, u) => sum + u.callsPerSecond, 0);
    return {
        key: design.key,
        name: design.name,
        path: design.path,
        apis,
        cognitoCallsPerSecond: round(cognitoCallsPerSecond),
        maxRequestsPerSecond: round(s.rps * scale),
        // The bisection stops just below the limit: a hair's tolerance keeps 2,500 from printing as 2,499.
        maxActiveUsers: Math.floor(s.users * scale * (1 + 1e-8)),
        binding,
        quotaIncreases,
        trade: design.trade(s),
        notes: design.notes?.(s) ?? [],
    };
}

export function capacity(users: number, rps: number, parameters: Partial<CapacityParameters> = {}): CapacityReport {
    const s: Scenario = { ...DEFAULT_PARAMETERS, ...parameters, users, rps };
    return {
        scenario: { users, requestsPerSecond: rps, parameters: { ...DEFAULT_PARAMETERS, ...parameters }, parameterSources: PARAMETER_SOURCES },
        designs: DESIGNS.map((d) => designReport(d, s)),
    };
}

/** The scenarios issue 22 asks about: (active users, requests/s). */
export const ISSUE_SCENARIOS: readonly (readonly [number, number])[] = [
    [50_000, 500],
    [1_000_000, 10_000],
    [200_000, 20_000],
];

const count = (n: number) => (n >= 1e6 && n % 1e5 === 0 ? `${n / 1e6}M` : n >= 1000 && n % 100 === 0 ? `${n / 1000}k` : String(n));
export const num = (x: number) =>
    x >= 100 || Number.isInteger(x) ? Math.round(x).toLocaleString("en-US") : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(2);

function cognitoCell(d: DesignReport): string {
    const of = (api: string) => d.apis.filter((a) => a.api === api).reduce((sum, a) => sum + a.callsPerSecond, 0);
    const pools = d.apis.filter((a) => a.api.startsWith("cognito-idp:") && a.api !== "cognito-idp:jwks.json").reduce((sum, a) => sum + a.callsPerSecond, 0);
    return `${num(d.cognitoCallsPerSecond)} (GetId ${num(of("cognito-identity:GetId"))}, GetCredentialsForIdentity ${num(of("cognito-identity:GetCredentialsForIdentity"))}, user pool ${num(pools)})`;
}

/** The markdown table of docs/capacity.md: the issue's scenarios, every design, default parameters. */
export function renderScenarioTable(scenarios: readonly (readonly [number, number])[] = ISSUE_SCENARIOS, parameters: Partial<CapacityParameters> = {}): string {
    const lines = [
        "| active users | requests/s | design | Cognito calls/s | binding quota (default) | most requests/s (active users) at default quotas | quota increases the scenario needs |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ];
    for (const [users, rps] of scenarios) {
        for (const d of capacity(users, rps, parameters).designs) {
            const increases =
                d.quotaIncreases
                    .filter((q) => QUOTAS[q.quota].binds)
                    .map((q) => `${q.quota} ${num(q.needed)}/s`)
                    .join(", ") || "none";
            lines.push(
                `| ${count(users)} | ${num(rps)} | ${d.key} | ${cognitoCell(d)} | ${d.binding} (${num(QUOTAS[d.binding].value)}) | ${num(d.maxRequestsPerSecond)} (${num(d.maxActiveUsers)}) | ${increases} |`,
            );
        }
    }
    return lines.join("\n");
}

/** A plain-text report of one scenario. */
export function renderText(report: CapacityReport): string {
    const out: string[] = [];
    const s = report.scenario;
    out.push(`capacity: ${num(s.users)} active users, ${num(s.requestsPerSecond)} requests/s (steady state, ${s.parameters.userSkew ? `users' shares Zipf ${s.parameters.userSkew}` : "uniform users"}; default quotas per account and Region)`);
    const p = s.parameters;
    out.push(
        `parameters: handler ${p.durationMs} ms, seed handler ${p.seedDurationMs} ms, containers live ${p.containerMinutes} min, IdToken ${p.idTokenMinutes} min (floor design ${p.floorIdTokenMinutes}), credentials ${p.credentialMinutes} min, ${p.signInsPerUserHour} sign-ins per user-hour, caches ${p.cacheEntries} entries, revalidate ${p.revalidateMinutes} min, user skew ${p.userSkew}`,
    );
    for (const d of report.designs) {
        out.push("");
        out.push(`== ${d.name}`);
        out.push(`   ${d.path}`);
        const width = Math.max(...d.apis.map((a) => a.api.length));
        for (const a of d.apis) {
            const used = `${(100 * a.utilization).toFixed(a.utilization < 0.1 ? 2 : 0)}%`;
            out.push(
                `   ${a.api.padEnd(width)}  ${num(a.callsPerSecond).padStart(9)}${a.unit === "concurrent executions" ? " conc" : "/s  "}  of ${num(a.defaultQuota).padStart(6)} ${used.padStart(7)}${a.verified ? "" : " (quota not verified)"}${a.note ? `  ${a.note}` : ""}`,
            );
        }
        out.push(`   binding: ${d.binding} (${num(QUOTAS[d.binding].value)}/s default) — at most ${num(d.maxRequestsPerSecond)} requests/s and ${num(d.maxActiveUsers)} active users at default quotas`);
        out.push(`   increases needed: ${d.quotaIncreases.length ? d.quotaIncreases.map((q) => `${q.quota} ${num(q.defaultQuota)} → ${num(q.needed)}/s (${q.how})`).join("; ") : "none"}`);
        out.push(`   trade: ${d.trade}`);
        for (const note of d.notes) out.push(`   note: ${note}`);
    }
    out.push("");
    out.push("quota sources:");
    const seen = new Set<string>();
    for (const d of report.designs) {
        for (const a of d.apis) {
            if (seen.has(a.quota)) continue;
            seen.add(a.quota);
            out.push(`   ${a.quota} ${num(a.defaultQuota)}: ${a.quotaSource}${a.verified ? "" : " (not verified on the page)"}`);
        }
    }
    return out.join("\n");
}
