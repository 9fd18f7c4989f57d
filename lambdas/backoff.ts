/**
 * Retries with jittered exponential backoff, bounded by a deadline: the one backoff of this
 * project, used by the read-file handler (a throttled Cognito or S3 call), the caller's API client
 * and the floor client (a 503 or 429 with `Retry-After`). No imports: it goes into the handler's
 * bundle and into client code alike.
 *
 * "Full jitter" (a wait drawn uniformly from 0 to the capped exponential step), as AWS's SDKs and
 * the Architecture Blog's "Exponential Backoff And Jitter" advise, so callers throttled together do
 * not come back together. A hint from the other side (`Retry-After`) is a floor the jitter is added to.
 */

export interface BackoffOptions {
    /** Attempts in all, the first included. */
    readonly maxAttempts: number;
    /** The first retry waits up to this long; each later one up to twice as long. */
    readonly baseMs: number;
    /** Largest jittered step. */
    readonly capMs: number;
    /**
     * Epoch ms by which the caller must have its answer: a retry is made only when its wait, and
     * `reserveMs` for the attempt itself, end before it. @default none
     */
    readonly deadline?: number;
    /** Time kept for the attempt after the wait. @default 0 */
    readonly reserveMs?: number;
    /** @default setTimeout */
    readonly sleep?: (ms: number) => Promise<void>;
    /** @default Math.random */
    readonly random?: () => number;
    /** @default Date.now */
    readonly now?: () => number;
}

/**
 * Whether a failure may pass by trying again: `false`, or `true`, or the least wait the other side
 * asked for (`Retry-After`), in ms.
 */
export type Retryable = (error: unknown) => boolean | { readonly afterMs: number };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The wait before retry number `retry` (1 for the first): uniform on [0, min(cap, base · 2^(retry−1))]. */
export function jitteredDelay(retry: number, options: Pick<BackoffOptions, "baseMs" | "capMs">, random: () => number = Math.random): number {
    const step = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, retry - 1));
    return random() * step;
}

/**
 * `once` until it succeeds, a failure is not `retryable`, `maxAttempts` are spent, or the next wait
 * would end past the deadline; then the last failure is thrown. Never waits past the deadline.
 */
export async function withBackoff<T>(once: (attempt: number) => Promise<T>, retryable: Retryable, options: BackoffOptions): Promise<T> {
    const sleep = options.sleep ?? realSleep;
    const random = options.random ?? Math.random;
    const now = options.now ?? Date.now;
    for (let attempt = 1; ; attempt++) {
        try {
            return await once(attempt);
        } catch (error) {
            const verdict = attempt >= options.maxAttempts ? false : retryable(error);
            if (verdict === false) throw error;
            const floor = typeof verdict === "object" ? Math.max(0, verdict.afterMs) : 0;
            const wait = floor + jitteredDelay(attempt, options, random);
            if (options.deadline !== undefined && now() + wait + (options.reserveMs ?? 0) > options.deadline) throw error;
            await sleep(wait);
        }
    }
}

/** `Retry-After` as delay-seconds (an integer) or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, now: number = Date.now()): number | undefined {
    if (value === undefined || value === null) return undefined;
    const text = value.trim();
    if (/^\d{1,6}$/.test(text)) return Number(text) * 1000;
    const date = Date.parse(text);
    return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
