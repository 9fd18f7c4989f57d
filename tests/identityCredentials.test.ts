/**
 * lambdas/identityCredentials.ts: the exchange of a verified IdToken for the identity's
 * credentials, against an identity pool that answers as told. (The handler's use of it, with the
 * SDK's client, is in readFile.test.ts.)
 */
import * as assert from "assert";

import { createIdentityExchange, CognitoIdentitySender, IdentityExchangeOptions, VerifiedClaims } from "../lambdas/identityCredentials";
import { fakeIdentity, fullCredentials } from "./support/fakeIdentity";
import { idToken, makeSigningKey, PROVIDER_NAME, REGION } from "./support/tokens";

const IDENTITY_POOL_ID = `${REGION}:00000000-1111-4222-8333-444444444444`;

function exchangeWith(identity: CognitoIdentitySender, overrides: Partial<IdentityExchangeOptions> = {}) {
    return createIdentityExchange(
        { identity, identityPoolId: IDENTITY_POOL_ID, providerName: PROVIDER_NAME, cacheEntries: 10, refreshMarginMs: 5 * 60_000, revalidateAfterMs: 5 * 60_000, now: Date.now, ...overrides },
        (credentials) => credentials,
    );
}

const key = makeSigningKey("gaps-key");
const claimsOf = (sub: string): VerifiedClaims => ({ sub, exp: Math.floor(Date.now() / 1000) + 3600 });

describe("identity exchange: what the identity pool answers", () => {
    for (const [missing, drop] of [
        ["AccessKeyId", "AccessKeyId"],
        ["SecretKey", "SecretKey"],
        ["SessionToken", "SessionToken"],
        ["Expiration", "Expiration"],
    ] as const) {
        it(`refuses credentials without ${missing}, and keeps nothing for the token`, async () => {
            let complete = false;
            const { sender, calls } = fakeIdentity((tag) => {
                const c: Record<string, unknown> = fullCredentials(tag);
                if (!complete) {
                    delete c[drop];
                }
                return c;
            });
            const exchange = exchangeWith(sender);
            const token = idToken(key, "alice");
            await assert.rejects(exchange.sessionFor(claimsOf("alice"), token), /incomplete credentials/);
            complete = true;
            const session = await exchange.sessionFor(claimsOf("alice"), token);
            assert.strictEqual(session.credentials.sessionToken, "session");
            assert.deepStrictEqual(calls, ["GetId", "GetCredentialsForIdentity", "GetCredentialsForIdentity"], "the identity id is kept, no credentials were");
        });
    }

    it("refuses an answer without Credentials at all as incomplete", async () => {
        const { sender } = fakeIdentity(() => undefined);
        await assert.rejects(exchangeWith(sender).sessionFor(claimsOf("alice"), idToken(key, "alice")), /GetCredentialsForIdentity returned incomplete credentials/);
    });

    it("refuses a GetId answer without an identity id, and asks again next time", async () => {
        let known = false;
        const { sender, calls } = fakeIdentity(fullCredentials, (sub) => (known ? `${REGION}:id-${sub}` : undefined));
        const exchange = exchangeWith(sender);
        const token = idToken(key, "bob");
        await assert.rejects(exchange.sessionFor(claimsOf("bob"), token), /no IdentityId/);
        assert.deepStrictEqual(calls, ["GetId"], "no credentials are asked for an unknown identity");
        known = true;
        assert.strictEqual((await exchange.sessionFor(claimsOf("bob"), token)).identityId, `${REGION}:id-bob`);
    });

    it("accepts revalidateAfterMs 0: every request asks the identity pool again (the strictest setting)", async () => {
        const { sender, calls } = fakeIdentity(fullCredentials);
        const exchange = exchangeWith(sender, { revalidateAfterMs: 0 });
        const token = idToken(key, "carol");
        const first = await exchange.sessionFor(claimsOf("carol"), token);
        const second = await exchange.sessionFor(claimsOf("carol"), token);
        assert.notStrictEqual(first.credentials.accessKeyId, second.credentials.accessKeyId);
        assert.deepStrictEqual(calls, ["GetId", "GetCredentialsForIdentity", "GetCredentialsForIdentity"]);
    });

    it("accepts a cache of one entry", () => {
        assert.doesNotThrow(() => exchangeWith(fakeIdentity(fullCredentials).sender, { cacheEntries: 1 }));
    });
});

describe("identity exchange: what the cache keeps room for", () => {
    const T = 1_800_000_000_000;
    const MARGIN = 5 * 60_000;
    /** Credentials good for an hour, except for users named in `shortLived`: theirs expire as the refresh margin begins. */
    const credentialsFor = (shortLived: string[]) => (tag: string) => ({
        ...fullCredentials(tag),
        Expiration: new Date(shortLived.some((sub) => tag.includes(`id-${sub}#`)) ? T + MARGIN : T + 3600_000),
    });
    const claimsAt = (sub: string): VerifiedClaims => ({ sub, exp: T / 1000 + 3600 });

    it("keeps no credentials that are already due for replacement, so they push out none that are not", async () => {
        const { sender, calls } = fakeIdentity(credentialsFor(["bob"]));
        const exchange = exchangeWith(sender, { cacheEntries: 1, refreshMarginMs: MARGIN, now: () => T });
        const alice = idToken(key, "alice");
        await exchange.sessionFor(claimsAt("alice"), alice);
        // Bob's credentials are valid until exactly now: served once, never kept.
        await exchange.sessionFor(claimsAt("bob"), idToken(key, "bob"));
        calls.splice(0);
        await exchange.sessionFor(claimsAt("alice"), alice);
        assert.deepStrictEqual(calls, [], "alice's credentials are still kept");
    });

    it("does not bring back a forgotten user's identity id when serving their kept credentials, to push out another's later", async () => {
        const { sender, calls } = fakeIdentity(credentialsFor(["bob", "carol", "dave"]));
        const exchange = exchangeWith(sender, { cacheEntries: 2, refreshMarginMs: MARGIN, now: () => T });
        const tokens = Object.fromEntries(["alice", "bob", "carol", "dave"].map((sub) => [sub, idToken(key, sub)]));
        for (const sub of ["alice", "bob", "carol"]) {
            await exchange.sessionFor(claimsAt(sub), tokens[sub]);
        }
        // Identity ids kept: bob's and carol's (alice's was the least recently used); credentials kept: alice's only.
        await exchange.sessionFor(claimsAt("alice"), tokens.alice);
        await exchange.sessionFor(claimsAt("dave"), tokens.dave);
        // Dave's identity id pushed out the least recently used, bob's; carol's is still kept.
        calls.splice(0);
        await exchange.sessionFor(claimsAt("carol"), tokens.carol);
        assert.deepStrictEqual(calls, ["GetCredentialsForIdentity"], "carol's identity id is still kept");
    });
});
