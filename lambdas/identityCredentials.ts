import { createHash } from "crypto";

/** Temporary credentials of one identity-pool identity, as the AWS SDK v3 takes them. */
export interface TemporaryCredentials {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken: string;
    readonly expiration: Date;
}

/** The fields of GetId and GetCredentialsForIdentity the exchange sends and reads, as the SDK names them. */
export interface GetIdInput {
    readonly IdentityPoolId: string;
    readonly Logins: Record<string, string>;
}
export interface GetCredentialsForIdentityInput {
    readonly IdentityId: string;
    readonly Logins: Record<string, string>;
}
export interface GetCredentialsForIdentityOutput {
    readonly Credentials?: { AccessKeyId?: string; SecretKey?: string; SessionToken?: string; Expiration?: Date };
}

/**
 * The two Cognito Identity calls the exchange makes (the production sender of
 * `cognitoIdentity.ts`, or in tests the SDK's client under a mock). Failures are thrown as
 * the SDK throws them.
 */
export interface CognitoIdentitySender {
    getId(input: GetIdInput): Promise<{ IdentityId?: string }>;
    getCredentialsForIdentity(input: GetCredentialsForIdentityInput): Promise<GetCredentialsForIdentityOutput>;
}

/** The claims of a verified IdToken the exchange relies on. */
export interface VerifiedClaims {
    readonly sub: string;
    /** Expiry of the token, in seconds since the epoch. */
    readonly exp: number;
}

export interface IdentityExchangeOptions {
    readonly identity: CognitoIdentitySender;
    readonly identityPoolId: string;
    /** `cognito-idp.<region>.amazonaws.com/<poolId>`: the key of the `Logins` map. */
    readonly providerName: string;
    /** Most users whose identity id is kept, and most tokens whose credentials are kept; the least recently used go first. */
    readonly cacheEntries: number;
    /** Credentials closer than this to expiry are replaced before use. */
    readonly refreshMarginMs: number;
    /**
     * Longest time credentials issued for a token are reused before the identity pool is asked
     * again, so that its server-side token check sees every token at least this often.
     */
    readonly revalidateAfterMs: number;
    readonly now: () => number;
}

export interface IdentitySession<Client> {
    readonly identityId: string;
    readonly credentials: TemporaryCredentials;
    /** A client built once per credentials, reused while they last. */
    readonly client: Client;
}

export interface IdentityExchange<Client> {
    /**
     * The identity id and live credentials for the verified IdToken `idToken` with claims
     * `claims`. Costs nothing while credentials issued for this exact token are still within
     * their bound, one call (GetCredentialsForIdentity) when only the user's identity id is
     * known, two otherwise.
     */
    sessionFor(claims: VerifiedClaims, idToken: string): Promise<IdentitySession<Client>>;
    /** Drops the credentials issued for a token (kept: the user's identity id, which never changes). */
    forgetCredentials(idToken: string): void;
}

interface CachedSession<Client> {
    readonly session: IdentitySession<Client>;
    /** Epoch ms after which the identity pool is asked again. */
    readonly validUntil: number;
}

/** A map that forgets its least recently used keys beyond `capacity`. */
function boundedLru<V>(capacity: number) {
    const entries = new Map<string, V>();
    return {
        get(key: string): V | undefined {
            const value = entries.get(key);
            if (value !== undefined) {
                entries.delete(key);
                entries.set(key, value);
            }
            return value;
        },
        set(key: string, value: V): void {
            entries.delete(key);
            entries.set(key, value);
            while (entries.size > capacity) {
                entries.delete(entries.keys().next().value as string);
            }
        },
        delete(key: string): void {
            entries.delete(key);
        },
    };
}

/** A token's credentials are found by its digest: the cache never holds bearer tokens. */
function tokenKey(idToken: string): string {
    return createHash("sha256").update(idToken).digest("base64url");
}

/**
 * Exchanges verified IdTokens for identity-pool credentials. The identity id is remembered
 * per user (`sub`), since it never changes; credentials are remembered per exact token and
 * reused only until the earliest of: their expiry less `refreshMarginMs`, the token's `exp`,
 * and `revalidateAfterMs` after they were issued. A new token (for example one carrying other
 * groups) never receives another token's credentials, and the identity pool's server-side
 * token check sees every token again within `revalidateAfterMs`.
 */
export function createIdentityExchange<Client>(
    options: IdentityExchangeOptions,
    clientFor: (credentials: TemporaryCredentials) => Client,
): IdentityExchange<Client> {
    if (!Number.isInteger(options.cacheEntries) || options.cacheEntries < 1) {
        throw new Error(`cacheEntries must be a positive integer, got '${options.cacheEntries}'`);
    }
    if (!Number.isFinite(options.revalidateAfterMs) || options.revalidateAfterMs < 0) {
        throw new Error(`revalidateAfterMs must be a non-negative number, got '${options.revalidateAfterMs}'`);
    }
    const identityIds = boundedLru<string>(options.cacheEntries);
    const sessions = boundedLru<CachedSession<Client>>(options.cacheEntries);

    async function sessionFor(claims: VerifiedClaims, idToken: string): Promise<IdentitySession<Client>> {
        const key = tokenKey(idToken);
        const requestedAt = options.now();
        const cached = sessions.get(key);
        if (cached && requestedAt < cached.validUntil) {
            // Keeps an active user's identity id among the most recently used.
            identityIds.get(claims.sub);
            return cached.session;
        }
        // Past its bound an entry is never served again, whatever the identity pool answers next.
        sessions.delete(key);

        const logins = { [options.providerName]: idToken };
        let identityId = identityIds.get(claims.sub);
        if (identityId === undefined) {
            const got = await options.identity.getId({ IdentityPoolId: options.identityPoolId, Logins: logins });
            if (!got.IdentityId) {
                throw new Error("GetId returned no IdentityId");
            }
            identityId = got.IdentityId;
            identityIds.set(claims.sub, identityId);
        }
        const issued = await options.identity.getCredentialsForIdentity({ IdentityId: identityId, Logins: logins });
        const c = issued.Credentials;
        if (!c?.AccessKeyId || !c.SecretKey || !c.SessionToken || !c.Expiration) {
            throw new Error("GetCredentialsForIdentity returned incomplete credentials");
        }
        const credentials: TemporaryCredentials = {
            accessKeyId: c.AccessKeyId,
            secretAccessKey: c.SecretKey,
            sessionToken: c.SessionToken,
            expiration: new Date(c.Expiration),
        };
        const session = { identityId, credentials, client: clientFor(credentials) };
        const validUntil = Math.min(
            credentials.expiration.getTime() - options.refreshMarginMs,
            claims.exp * 1000,
            requestedAt + options.revalidateAfterMs,
        );
        if (validUntil > requestedAt) {
            sessions.set(key, { session, validUntil });
        }
        return session;
    }

    return {
        sessionFor,
        forgetCredentials(idToken: string): void {
            sessions.delete(tokenKey(idToken));
        },
    };
}
