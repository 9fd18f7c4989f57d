/**
 * One step of the smoke run: one AWS call or API request, bounded in time and really
 * cancelled when that time is up, retried only where a retry is sound.
 *
 * Right after a deploy AWS needs a while before new roles, trust policies, the identity
 * pool's role mapping and the OIDC provider are usable, and answers meanwhile with errors
 * that look final (InvalidIdentityPoolConfigurationException, InvalidIdentityToken,
 * AccessDenied). A step that expects success may name the errors it waits out (`settling`);
 * it retries them with backoff until its budget is spent, then fails saying so. A step that
 * expects a refusal names none: its refusal is never retried, neither into a pass nor into a
 * long wait.
 */
import { describeError, isOutcomeUnknown } from "./errors";

export interface Timing {
    /** Longest one attempt may take before it is cancelled. @default 10000 */
    readonly attemptTimeoutMs: number;
    /** Longest a step keeps retrying errors of a settling deployment, from its first attempt. @default 60000 */
    readonly settleBudgetMs: number;
    /** First backoff; doubled per retry up to `backoffMaxMs`. @default 500 */
    readonly backoffBaseMs: number;
    /** @default 8000 */
    readonly backoffMaxMs: number;
}

export const DEFAULT_TIMING: Timing = { attemptTimeoutMs: 10_000, settleBudgetMs: 60_000, backoffBaseMs: 500, backoffMaxMs: 8_000 };

export interface StepOptions {
    /** The errors of a settling deployment this step waits out; returns a short label, or undefined. */
    readonly settling?: (error: unknown) => string | undefined;
    /**
     * Whether the call may be repeated after an attempt whose outcome is unknown (timed out,
     * connection dropped): reads, deletes, and writes of the same content.
     */
    readonly idempotent?: boolean;
    /** Called when an attempt is given up without an answer: it may still take effect. */
    readonly onAbandoned?: () => void;
}

/** How one step went: the report's attempt counts. */
export interface StepTrace {
    readonly step: string;
    readonly attempts: number;
    /** Why each retry happened, e.g. `InvalidIdentityPoolConfigurationException`, `timeout`. */
    readonly retriedOn: string[];
    readonly ms: number;
}

/** A step that failed in a way the report states as is (no AWS error to classify). */
export class StepFailure extends Error {
    constructor(
        message: string,
        readonly cause?: unknown,
    ) {
        super(message);
        this.name = "StepFailure";
    }
}

/** The run (or the cleanup) was stopped from outside: Ctrl-C or its overall time. */
export class Interrupted extends StepFailure {}

class AttemptTimedOut extends Error {}

export interface Stepper {
    run<T>(what: string, work: (signal: AbortSignal) => Promise<T>, options?: StepOptions): Promise<T>;
    /** Where traces of the following steps go (the current check's list). */
    traceInto(list: StepTrace[]): void;
    readonly signal: AbortSignal;
}

export function createStepper(
    timing: Timing,
    signal: AbortSignal,
    hooks: { readonly now?: () => number; readonly onRetry?: (step: string, attempt: number, reason: string, waitMs: number) => void } = {},
): Stepper {
    const now = hooks.now ?? Date.now;
    let traces: StepTrace[] = [];

    async function run<T>(what: string, work: (signal: AbortSignal) => Promise<T>, options: StepOptions = {}): Promise<T> {
        const started = now();
        const retriedOn: string[] = [];
        let attempts = 0;
        const trace = traces;
        const record = () => trace.push({ step: what, attempts, retriedOn, ms: now() - started });
        for (;;) {
            if (signal.aborted) {
                record();
                throw new Interrupted(`interrupted before ${what}`);
            }
            attempts++;
            let reason: string;
            let failure: unknown;
            try {
                const value = await attempt(work, signal, timing);
                record();
                return value;
            } catch (error) {
                failure = error;
                reason = retryReasonOf(error, what, options, timing, record);
            }
            const wait = Math.min(timing.backoffMaxMs, timing.backoffBaseMs * 2 ** (attempts - 1));
            const jittered = Math.round(wait * (0.75 + Math.random() * 0.25));
            if (now() - started + jittered >= timing.settleBudgetMs) {
                record();
                const last = failure instanceof AttemptTimedOut ? `timed out after ${timing.attemptTimeoutMs} ms` : describeError(failure);
                throw new StepFailure(`${what}: ${last}; still so after ${attempts} attempts in ${now() - started} ms`, failure);
            }
            retriedOn.push(reason);
            hooks.onRetry?.(what, attempts, reason, jittered);
            try {
                await sleep(jittered, signal);
            } catch (error) {
                record();
                throw new Interrupted(`interrupted while waiting to retry ${what}`, error);
            }
        }
    }

    return {
        run,
        traceInto(list) {
            traces = list;
        },
        signal,
    };
}

/** One attempt, cancelled at its time limit or when `signal` aborts. */
function attempt<T>(work: (signal: AbortSignal) => Promise<T>, signal: AbortSignal, timing: Timing): Promise<T> {
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort(new Interrupted("interrupted"));
    signal.addEventListener("abort", onOuterAbort, { once: true });
    // The abort reaches the SDK through `abortSignal` and tears the socket down; the race
    // below also frees this step when a client ignores the signal.
    const timer = setTimeout(() => controller.abort(new AttemptTimedOut()), timing.attemptTimeoutMs);
    return new Promise<T>((resolve, reject) => {
        controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
        work(controller.signal).then(resolve, reject);
    }).finally(() => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onOuterAbort);
    });
}

/** Waits `ms`, or rejects with `Interrupted` as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        const onAbort = () => {
            clearTimeout(timer);
            reject(new Interrupted("interrupted"));
        };
        const timer = setTimeout(() => {
            signal.removeEventListener("abort", onAbort);
            resolve();
        }, ms);
        signal.addEventListener("abort", onAbort, { once: true });
    });
}

/**
 * Why the step may retry after a failed attempt: an unknown outcome of an idempotent call, or
 * an error of a settling deployment the step waits out. Otherwise the step's trace is recorded
 * and what it fails with is thrown.
 */
function retryReasonOf(error: unknown, what: string, options: StepOptions, timing: Timing, record: () => void): string {
    if (error instanceof Interrupted) {
        options.onAbandoned?.();
        record();
        throw new Interrupted(`interrupted during ${what}`);
    }
    if (error instanceof AttemptTimedOut || isOutcomeUnknown(error)) {
        options.onAbandoned?.();
        const reason = options.idempotent ? (error instanceof AttemptTimedOut ? "timeout" : describeError(error)) : undefined;
        if (!reason) {
            record();
            throw error instanceof AttemptTimedOut
                ? new StepFailure(`${what} timed out after ${timing.attemptTimeoutMs} ms`)
                : new StepFailure(`${what}: no answer (${describeError(error)})`, error);
        }
        return reason;
    }
    const reason = options.settling?.(error);
    if (!reason) {
        record();
        throw error;
    }
    return reason;
}
