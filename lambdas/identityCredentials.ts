import { GetCredentialsForIdentityCommand, GetIdCommand } from "@aws-sdk/client-cognito-identity";

/** Temporary credentials of one identity-pool identity, as the AWS SDK v3 takes them. */
export interface TemporaryCredentials {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken: string;
    readonly expiration: Date;
}

/** The minimum of a Cognito Identity client the exchange needs (a real client or a mock). */
export interface CognitoIdentitySender {
    send(command: GetIdCommand | GetCredentialsForIdentityCommand): Promise<unknown>;
}

export interface IdentityExchangeOptions {
    readonly identity: CognitoIdentitySender;
    readonly identityPoolId: string;
    /** `cognito-idp.<region>.amazonaws.com/<poolId>`: the key of the `Logins` map. */
    readonly providerName: string;
    /** Most users whose identity and credentials are kept; the least recently used goes first. */
    readonly maxEntries: number;
    /** Credentials closer than this to expiry are replaced before use. */
    readonly refreshMarginMs: number;
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
     * The identity id and live credentials of the user `subject`, whose verified IdToken is
     * `idToken`. Costs nothing when both are cached, one call (credentials) when only the
     * identity id is, two otherwise.
     */
    sessionFor(subject: string, idToken: string): Promise<IdentitySession<Client>>;
    /** Drops a user's credentials (kept: the identity id, which never changes). */
    forgetCredentials(subject: string): void;
    size(): number;
}

interface Entry<Client> {
    identityId: string;
    session?: IdentitySession<Client>;
}

/**
 * Exchanges verified IdTokens for identity-pool credentials, remembering per user (by the
 * token's `sub`) the identity id and the credentials until shortly before they expire,
 * in a cache bounded to `maxEntries` users.
 */
export function createIdentityExchange<Client>(
    options: IdentityExchangeOptions,
    clientFor: (credentials: TemporaryCredentials) => Client,
): IdentityExchange<Client> {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
        throw new Error(`maxEntries must be a positive integer, got '${options.maxEntries}'`);
    }
    const entries = new Map<string, Entry<Client>>();

    function touch(subject: string, entry: Entry<Client>): void {
        entries.delete(subject);
        entries.set(subject, entry);
        while (entries.size > options.maxEntries) {
            entries.delete(entries.keys().next().value as string);
        }
    }

    async function sessionFor(subject: string, idToken: string): Promise<IdentitySession<Client>> {
        const logins = { [options.providerName]: idToken };
        const cached = entries.get(subject);
        if (cached?.session && cached.session.credentials.expiration.getTime() - options.refreshMarginMs > options.now()) {
            touch(subject, cached);
            return cached.session;
        }
        let identityId = cached?.identityId;
        if (identityId === undefined) {
            const got = (await options.identity.send(
                new GetIdCommand({ IdentityPoolId: options.identityPoolId, Logins: logins }),
            )) as { IdentityId?: string };
            if (!got.IdentityId) {
                throw new Error("GetId returned no IdentityId");
            }
            identityId = got.IdentityId;
            touch(subject, { identityId });
        }
        const issued = (await options.identity.send(
            new GetCredentialsForIdentityCommand({ IdentityId: identityId, Logins: logins }),
        )) as {
            Credentials?: { AccessKeyId?: string; SecretKey?: string; SessionToken?: string; Expiration?: Date };
        };
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
        touch(subject, { identityId, session });
        return session;
    }

    return {
        sessionFor,
        forgetCredentials(subject: string): void {
            const entry = entries.get(subject);
            if (entry) {
                entry.session = undefined;
            }
        },
        size: () => entries.size,
    };
}
