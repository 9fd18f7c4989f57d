/**
 * The credential floor: a signed-in user's client reads and writes its own folder
 * (`<prefix>/<identityId>/`) in S3 directly, with its own identity-pool credentials, and asks
 * Cognito as little as the design allows (docs/capacity.md, "Which path to use when"):
 *
 *  - GetId once per user and device: the identity id is kept in an `IdentityIdStore` and never
 *    asked for again while the store holds it;
 *  - GetCredentialsForIdentity once per credential lifetime: credentials are kept in this object's
 *    memory only, renewed `refreshMarginMs` before they expire (1.09 issues per hour-long lifetime
 *    at the default 5 minutes), and concurrent callers share one issue;
 *  - every read and write is decided by IAM on the user's own credentials (the identity role's
 *    `${cognito-identity.amazonaws.com:sub}` policy); a path outside the user's folder is refused
 *    here, before anything is sent.
 *
 * What the store may hold: identity ids, each bound to its identity pool, user pool and user
 * (`sub`). An identity id is not a secret (it obtains nothing without a valid IdToken of that
 * user) but it names the user's folder, so the store is the device's or the user's own (a file
 * only its owner can read and write, browser storage of the app's origin) and a record that
 * names another pool or user is never used. What it may never hold: credentials, IdTokens or
 * refresh tokens. A store shared by users or readable by a service would be a store of users'
 * credentials that a function role or pipeline could read: nothing of the sort exists here, and
 * credentials never leave this object (and the S3 client it signs with).
 *
 * The SDK's `fromCognitoIdentityPool` keeps identity ids in a store too, but forgets the stored id
 * on any failure, a throttled renewal included (turning throttling into GetId calls against GetId's
 * 25/s quota), and checks nothing of what it reads back; `fromCognitoIdentity` is one
 * GetCredentialsForIdentity call whose renewal is left to each SDK client's own cache, on the wall
 * clock, one per client. So the exchange is written here, with the SDK's own Cognito Identity and
 * S3 clients: one issue shared by every caller, renewal on a clock tests can move.
 */
import { chmod, mkdir, readFile, rename, stat, writeFile } from "fs/promises";
import * as os from "os";
import * as path from "path";

import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetCredentialsForIdentityCommandOutput, GetIdCommand } from "@aws-sdk/client-cognito-identity";
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

import { retryAfterMs, withBackoff } from "../lambdas/backoff";
import { classifyAwsError } from "../lambdas/http";

/**
 * Where identity ids are kept between runs: the device's or the user's own storage. Values are
 * opaque to the store. Never give it credentials or tokens; `UserStorage` never does.
 */
export interface IdentityIdStore {
    get(key: string): Promise<string | undefined>;
    set(key: string, value: string): Promise<void>;
    delete(key: string): Promise<void>;
}

/** A store in this process's memory: the identity id lasts as long as the process (one GetId per run). */
export function memoryIdentityIdStore(): IdentityIdStore {
    const entries = new Map<string, string>();
    return {
        get: async (key) => entries.get(key),
        set: async (key, value) => void entries.set(key, value),
        delete: async (key) => void entries.delete(key),
    };
}

/** `$XDG_CONFIG_HOME/federated-access` (or `~/.config/…`; `%APPDATA%\federated-access` on Windows). */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
    if (platform === "win32" && env.APPDATA) return path.join(env.APPDATA, "federated-access");
    return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config"), "federated-access");
}

/**
 * A store in one JSON file of the user's config folder: the folder made 0700, the file written
 * 0600 (replaced whole, through a temporary file, so a crash leaves the old or the new). A file
 * that others may write is refused, since whoever writes it chooses the folder this client
 * reads; one that others may read only reveals identifiers.
 */
export function fileIdentityIdStore(file: string = path.join(defaultConfigDir(), "identity-ids.json")): IdentityIdStore {
    const posix = process.platform !== "win32";
    async function load(): Promise<Record<string, string>> {
        let text: string;
        try {
            if (posix) {
                const info = await stat(file);
                if ((info.mode & 0o022) !== 0) {
                    throw new Error(`${file} is writable by other users (mode ${(info.mode & 0o777).toString(8)}); run 'chmod 600 ${file}'`);
                }
            }
            text = await readFile(file, "utf8");
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
            throw error;
        }
        try {
            const parsed = JSON.parse(text) as unknown;
            return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {};
        } catch {
            return {};
        }
    }
    async function save(entries: Record<string, string>): Promise<void> {
        await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
        const temporary = `${file}.${process.pid}.tmp`;
        await writeFile(temporary, `${JSON.stringify(entries, null, 2)}\n`, { mode: 0o600 });
        if (posix) await chmod(temporary, 0o600);
        await rename(temporary, file);
    }
    return {
        async get(key) {
            const value = (await load())[key];
            return typeof value === "string" ? value : undefined;
        },
        async set(key, value) {
            await save({ ...(await load()), [key]: value });
        },
        async delete(key) {
            const entries = await load();
            if (!(key in entries)) return;
            delete entries[key];
            await save(entries);
        },
    };
}

/** A path the client refuses to send: outside the user's own folder, or not a plain relative name. */
export class OutsideOwnFolderError extends Error {
    constructor(
        readonly path: string,
        readonly folder: string,
        reason: string,
    ) {
        super(`'${path}' is refused (${reason}): this client reads and writes only below ${folder}; nothing was sent`);
        this.name = "OutsideOwnFolderError";
    }
}

/** An IdToken the client will not present: not one, expired, of another user pool or user. */
export class IdTokenRefusedError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "IdTokenRefusedError";
    }
}

export interface UserStorageRetry {
    /** Attempts of each AWS call, the first included. @default 4 */
    readonly maxAttempts?: number;
    /** @default 100 */
    readonly baseMs?: number;
    /** @default 5000 */
    readonly capMs?: number;
    /** Longest time from a call's first attempt to the start of its last. @default 20000 */
    readonly budgetMs?: number;
    readonly sleep?: (ms: number) => Promise<void>;
    readonly random?: () => number;
}

export interface UserStorageOptions {
    readonly region: string;
    readonly identityPoolId: string;
    /** `cognito-idp.<region>.amazonaws.com/<userPoolId>`: the key of the `Logins` map (stack output `userPoolProviderName`). */
    readonly providerName: string;
    readonly bucket: string;
    /** The users' prefix of the bucket (stack output `userFilesPrefix`). */
    readonly prefix: string;
    /** The signed-in user's current IdToken; the app refreshes it as it expires. */
    readonly idToken: () => string | Promise<string>;
    /** Where the identity id is kept. @default memoryIdentityIdStore() */
    readonly store?: IdentityIdStore;
    /** Cognito Identity (GetId, GetCredentialsForIdentity are sent unsigned). @default one client of `region`, no SDK retries */
    readonly identity?: CognitoIdentityClient;
    /** An S3 client signing with the given credentials, one per issue. @default an S3Client of `region`, no SDK retries */
    readonly s3For?: (credentials: AwsCredentialIdentity) => S3Client;
    /** Credentials closer than this to their expiry are renewed first. @default 5 minutes */
    readonly refreshMarginMs?: number;
    /** Backoff of a throttled or unavailable call (the only retries: the clients made here have the SDK's off). */
    readonly retry?: UserStorageRetry;
    /** @default Date.now */
    readonly now?: () => number;
    /** A line for what a caller may want to know (a stored identity id refused, a renewal). @default none */
    readonly log?: (entry: Record<string, unknown>) => void;
}

/** The user's identity-pool credentials, with the identity they belong to. */
export interface FloorCredentials extends AwsCredentialIdentity {
    readonly identityId: string;
    readonly expiration: Date;
}

/** An identity id as Cognito makes them: `<region>:<UUID>`. Anything else is not put in a key. */
const IDENTITY_ID = /^([a-z]{2}(?:-[a-z]+)+-\d):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A segment of a relative path that is refused: empty, `.`, `..`, a backslash or a control character. */
const refusedSegment = (segment: string) => segment === "" || segment === "." || segment === ".." || segment.includes("\\") || [...segment].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

interface StoredIdentity {
    readonly identityPoolId: string;
    readonly providerName: string;
    readonly sub: string;
    readonly identityId: string;
}

interface TokenClaims {
    readonly sub: string;
    readonly exp?: number;
}

/** Refuses options no identity pool, user pool or bucket layout could match, before any call is made. */
function checkOptions(options: UserStorageOptions, refreshMarginMs: number): void {
    if (!/^[a-z]{2}(-[a-z]+)+-\d:[\w-]{1,50}$/.test(options.identityPoolId)) {
        throw new Error(`identityPoolId must be '<region>:<id>', got '${options.identityPoolId}'`);
    }
    if (!/^cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/[\w-]+_[0-9A-Za-z]+$/.test(options.providerName)) {
        throw new Error(`providerName must be 'cognito-idp.<region>.amazonaws.com/<userPoolId>', got '${options.providerName}'`);
    }
    if (!options.prefix || options.prefix.startsWith("/") || options.prefix.endsWith("/")) {
        throw new Error(`prefix must be the users' prefix without leading or trailing '/', got '${options.prefix}'`);
    }
    if (!Number.isFinite(refreshMarginMs) || refreshMarginMs < 0) {
        throw new Error(`refreshMarginMs must be a non-negative number, got '${options.refreshMarginMs}'`);
    }
}

/**
 * The claims of an IdToken, checked as far as its holder can: shape, token use, issuer, expiry,
 * and (once bound) the user. The signature is the identity pool's to check.
 */
function idTokenClaims(idToken: string, providerName: string, nowMs: number, boundSub: string | undefined): TokenClaims {
    let claims: Record<string, unknown>;
    try {
        claims = JSON.parse(Buffer.from(idToken.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
    } catch {
        throw new IdTokenRefusedError("the IdToken is not a JWT");
    }
    if (typeof claims.sub !== "string" || claims.sub === "") throw new IdTokenRefusedError("the IdToken names no user (sub)");
    if (claims.token_use !== undefined && claims.token_use !== "id") {
        throw new IdTokenRefusedError(`a token with token_use '${String(claims.token_use)}' was given; the identity pool takes the IdToken`);
    }
    if (claims.iss !== undefined && claims.iss !== `https://${providerName}`) {
        throw new IdTokenRefusedError(`the IdToken is of another user pool (${String(claims.iss)}), not ${providerName}`);
    }
    if (typeof claims.exp === "number" && claims.exp * 1000 <= nowMs) {
        throw new IdTokenRefusedError("the IdToken has expired: refresh it (the refresh token's InitiateAuth) and try again");
    }
    if (boundSub !== undefined && claims.sub !== boundSub) {
        throw new IdTokenRefusedError("the IdToken is of another user than this UserStorage's: make one per user");
    }
    return { sub: claims.sub, exp: typeof claims.exp === "number" ? claims.exp : undefined };
}

/** A stored record as written, or an empty one (refused as another pool's) when it is not a JSON object. */
function parseStoredRecord(text: string): Partial<StoredIdentity> {
    try {
        const record: unknown = JSON.parse(text);
        return typeof record === "object" && record !== null ? (record as Partial<StoredIdentity>) : {};
    } catch {
        return {};
    }
}

/** The identity id a stored record holds for `sub`, if it is one this client may use (a refusal is logged). */
function usableIdentityId(text: string | undefined, options: UserStorageOptions, sub: string, poolRegion: string): string | undefined {
    if (text === undefined) return undefined;
    const record = parseStoredRecord(text);
    const reason = storedRecordRefusal(record, options, sub, poolRegion);
    if (reason !== undefined) {
        options.log?.({ event: "stored-identity-refused", reason });
        return undefined;
    }
    return record.identityId;
}

/** Why a stored record may not be used for `sub` (another pool's, user's or Region's), or undefined when it may. */
function storedRecordRefusal(record: Partial<StoredIdentity>, options: UserStorageOptions, sub: string, poolRegion: string): string | undefined {
    const match = IDENTITY_ID.exec(String(record.identityId));
    return record.identityPoolId !== options.identityPoolId
        ? "another identity pool's"
        : record.providerName !== options.providerName
          ? "another user pool's"
          : record.sub !== sub
            ? "another user's"
            : !match || match[1] !== poolRegion
              ? "not an identity id of this pool's Region"
              : undefined;
}

/**
 * The key of `name` in the folder `own` (`<prefix>/<identityId>/`): a path relative to it
 * (`notes/a.txt`), or a key already inside it. Anything else is refused.
 */
function keyInFolder(name: string, own: string, prefix: string): string {
    let relative = name;
    if (name.startsWith(`${prefix}/`)) {
        if (!name.startsWith(own)) throw new OutsideOwnFolderError(name, own, "another user's folder, or none");
        relative = name.slice(own.length);
    } else if (name.startsWith("/")) {
        throw new OutsideOwnFolderError(name, own, "an absolute key outside the users' prefix");
    }
    const segments = relative.split("/");
    if (relative === "" || segments.some(refusedSegment)) {
        throw new OutsideOwnFolderError(name, own, "not a plain relative path: empty, '.', '..' or control characters");
    }
    const key = own + relative;
    if (Buffer.byteLength(key) > 1024) throw new OutsideOwnFolderError(name, own, "longer than S3's 1,024-byte keys");
    return key;
}

/** A throttled or unavailable call is tried again, after the Retry-After AWS sent if any. */
function patientCaller(retry: UserStorageRetry, now: () => number) {
    return <T>(what: () => Promise<T>): Promise<T> =>
        withBackoff(
            () => what(),
            (error) => {
                const kind = classifyAwsError(error);
                if (kind !== "throttled" && kind !== "unavailable") return false;
                const hint = (error as { $response?: { headers?: Record<string, string> } }).$response?.headers?.["retry-after"];
                return { afterMs: retryAfterMs(hint, now()) ?? 0 };
            },
            {
                maxAttempts: retry.maxAttempts ?? 4,
                baseMs: retry.baseMs ?? 100,
                capMs: retry.capMs ?? 5000,
                deadline: now() + (retry.budgetMs ?? 20_000),
                sleep: retry.sleep,
                random: retry.random,
                now,
            },
        );
}

/** The credentials of a GetCredentialsForIdentity answer, refused when any part is missing. */
function floorCredentials(identityId: string, answer: GetCredentialsForIdentityCommandOutput): FloorCredentials {
    const c = answer.Credentials;
    if (!c?.AccessKeyId || !c.SecretKey || !c.SessionToken || !c.Expiration) throw new Error("GetCredentialsForIdentity answered incomplete credentials");
    return { identityId, accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretKey, sessionToken: c.SessionToken, expiration: new Date(c.Expiration) };
}

type Held = { credentials: FloorCredentials; s3: S3Client };

interface ExchangeParts {
    readonly options: UserStorageOptions;
    readonly now: () => number;
    readonly store: IdentityIdStore;
    readonly refreshMarginMs: number;
    readonly identity: CognitoIdentityClient;
    readonly s3For: (credentials: AwsCredentialIdentity) => S3Client;
    readonly patiently: ReturnType<typeof patientCaller>;
}

/**
 * The user's side of the identity pool: the identity id (from the store, or GetId once) and the
 * credentials held in memory (one issue per lifetime, shared by concurrent callers).
 */
function createFloorExchange(parts: ExchangeParts) {
    const { options, now, store, refreshMarginMs, identity, s3For, patiently } = parts;
    const poolRegion = options.identityPoolId.split(":")[0];
    let boundSub: string | undefined;
    let identityId: string | undefined;
    let identityPending: Promise<string> | undefined;
    let current: Held | undefined;
    let issuing: Promise<Held> | undefined;
    /** Sign-outs so far: an issue started before the latest one is not kept. */
    let signOuts = 0;

    const storeKey = (sub: string) => `${options.identityPoolId}|${options.providerName}|${sub}`;

    /** The current IdToken and its claims; the first one binds this object to its user. */
    async function token(): Promise<{ idToken: string; claims: TokenClaims }> {
        const idToken = (await options.idToken()).trim();
        const claims = idTokenClaims(idToken, options.providerName, now(), boundSub);
        boundSub = claims.sub;
        return { idToken, claims };
    }

    async function resolveIdentity(idToken: string, sub: string): Promise<{ identityId: string; fromStore: boolean }> {
        const kept = usableIdentityId(await store.get(storeKey(sub)), options, sub, poolRegion);
        if (kept !== undefined) return { identityId: kept, fromStore: true };
        const got = await patiently(() => identity.send(new GetIdCommand({ IdentityPoolId: options.identityPoolId, Logins: { [options.providerName]: idToken } })));
        const id = got.IdentityId;
        const match = IDENTITY_ID.exec(String(id));
        if (!id || !match || match[1] !== poolRegion) throw new Error(`GetId answered no identity id of this pool's Region (got '${String(id)}')`);
        const record: StoredIdentity = { identityPoolId: options.identityPoolId, providerName: options.providerName, sub, identityId: id };
        await store.set(storeKey(sub), JSON.stringify(record));
        return { identityId: id, fromStore: false };
    }

    async function issue(): Promise<Held> {
        const { idToken, claims } = await token();
        let { identityId: id, fromStore } = identityId !== undefined ? { identityId, fromStore: true } : await resolveIdentity(idToken, claims.sub);
        const logins = { [options.providerName]: idToken };
        let answer;
        try {
            answer = await patiently(() => identity.send(new GetCredentialsForIdentityCommand({ IdentityId: id, Logins: logins })));
        } catch (error) {
            // A kept identity id the pool no longer knows for this login (the identity was deleted): ask once for the current one.
            const name = (error as { name?: string }).name;
            if (!fromStore || (name !== "NotAuthorizedException" && name !== "ResourceNotFoundException")) throw error;
            await store.delete(storeKey(claims.sub));
            identityId = undefined;
            ({ identityId: id, fromStore } = await resolveIdentity(idToken, claims.sub));
            answer = await patiently(() => identity.send(new GetCredentialsForIdentityCommand({ IdentityId: id, Logins: logins })));
        }
        identityId = id;
        const credentials = floorCredentials(id, answer);
        options.log?.({ event: "credentials-issued", identityId: id, expiration: credentials.expiration.toISOString() });
        return { credentials, s3: s3For(credentials) };
    }

    const fresh = (held: { credentials: FloorCredentials } | undefined) => held !== undefined && now() < held.credentials.expiration.getTime() - refreshMarginMs;

    /** Live credentials and their S3 client: the ones held, or one issue shared by every caller. */
    async function session(): Promise<Held> {
        if (fresh(current)) {
            // Refuses a token of another user even while credentials are held.
            await token();
            return current!;
        }
        if (issuing === undefined) {
            // An issue a sign-out overtakes still answers the callers that asked, but is not kept.
            const epoch = signOuts;
            const pending: Promise<Held> = issue().then(
                (issued) => {
                    if (issuing === pending) issuing = undefined;
                    if (epoch !== signOuts) return issued;
                    const old = current;
                    current = issued;
                    if (old && old.s3 !== issued.s3 && !options.s3For) old.s3.destroy();
                    return issued;
                },
                (error: unknown) => {
                    if (issuing === pending) issuing = undefined;
                    throw error;
                },
            );
            issuing = pending;
        }
        return issuing;
    }

    async function ownIdentityId(): Promise<string> {
        if (identityId !== undefined) return identityId;
        identityPending ??= (async () => {
            const { idToken, claims } = await token();
            return (await resolveIdentity(idToken, claims.sub)).identityId;
        })().finally(() => {
            identityPending = undefined;
        });
        identityId = await identityPending;
        return identityId;
    }

    async function signOut(forgetIdentity = false): Promise<void> {
        signOuts++;
        issuing = undefined;
        if (forgetIdentity && boundSub !== undefined) await store.delete(storeKey(boundSub));
        if (current && !options.s3For) current.s3.destroy();
        current = undefined;
        if (forgetIdentity) identityId = undefined;
    }

    return { session, ownIdentityId, signOut };
}

/**
 * A signed-in user's own folder, at the credential floor. One per user: a token of another user
 * is refused (make another `UserStorage` for them).
 */
export function createUserStorage(options: UserStorageOptions) {
    const now = options.now ?? Date.now;
    const refreshMarginMs = options.refreshMarginMs ?? 5 * 60 * 1000;
    checkOptions(options, refreshMarginMs);
    const patiently = patientCaller(options.retry ?? {}, now);
    const exchange = createFloorExchange({
        options,
        now,
        store: options.store ?? memoryIdentityIdStore(),
        refreshMarginMs,
        identity: options.identity ?? new CognitoIdentityClient({ region: options.region, maxAttempts: 1 }),
        s3For: options.s3For ?? ((credentials) => new S3Client({ region: options.region, credentials, maxAttempts: 1 })),
        patiently,
    });

    /** The user's folder, `<prefix>/<identityId>/`. */
    async function folder(): Promise<string> {
        return `${options.prefix}/${await exchange.ownIdentityId()}/`;
    }

    /**
     * The key of `name`: a path relative to the user's folder (`notes/a.txt`), or a key already
     * inside it. Anything else is refused before a request is made.
     */
    async function keyOf(name: string): Promise<string> {
        return keyInFolder(name, await folder(), options.prefix);
    }

    /**
     * The S3 client and key for `name`: refused before anything is sent when outside the folder,
     * and taken again once credentials are held, as an issue may find the kept identity replaced.
     */
    async function target(name: string): Promise<{ s3: S3Client; key: string }> {
        await keyOf(name);
        const { s3 } = await exchange.session();
        return { s3, key: await keyOf(name) };
    }

    return {
        folder,
        keyOf,
        identityId: exchange.ownIdentityId,
        /** The user's credentials (held, or issued once for every concurrent caller). */
        async credentials(): Promise<FloorCredentials> {
            return (await exchange.session()).credentials;
        },
        /** The same, as an SDK credential provider for the user's own other clients. */
        provider: (async () => (await exchange.session()).credentials) as AwsCredentialIdentityProvider,
        async read(name: string): Promise<string> {
            const { s3, key } = await target(name);
            return patiently(async () => {
                const answer = await s3.send(new GetObjectCommand({ Bucket: options.bucket, Key: key }));
                return (await answer.Body?.transformToString("utf8")) ?? "";
            });
        },
        async write(name: string, body: string | Uint8Array, contentType = "application/octet-stream"): Promise<void> {
            const { s3, key } = await target(name);
            await patiently(() => s3.send(new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: body, ContentType: contentType })));
        },
        async remove(name: string): Promise<void> {
            const { s3, key } = await target(name);
            await patiently(() => s3.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: key })));
        },
        /** The names in the user's folder, relative to it. */
        async list(): Promise<string[]> {
            await exchange.session();
            const own = await folder();
            const names: string[] = [];
            let continuation: string | undefined;
            do {
                const { s3 } = await exchange.session();
                const page = await patiently(() => s3.send(new ListObjectsV2Command({ Bucket: options.bucket, Prefix: own, ContinuationToken: continuation })));
                names.push(...(page.Contents ?? []).map((o) => String(o.Key).slice(own.length)));
                continuation = page.IsTruncated ? page.NextContinuationToken : undefined;
            } while (continuation);
            return names;
        },
        /**
         * Drops the credentials held (sign-out). The identity id stays in the store, as it is no
         * secret and saves a GetId at the next sign-in, unless `forgetIdentity`.
         */
        signOut: exchange.signOut,
    };
}

export type UserStorage = ReturnType<typeof createUserStorage>;
