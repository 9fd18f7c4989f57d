/**
 * Cognito-shaped IdTokens made locally: an RSA key pair, its JWKS, and a signer that can
 * also produce every kind of bad token a handler must refuse. No network.
 */
import { createHmac, createSign, generateKeyPairSync, KeyObject } from "crypto";

import { CognitoJwtVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";

export const REGION = "ap-northeast-1";
export const USER_POOL_ID = `${REGION}_TestPool1`;
export const CLIENT_ID = "testclient0123456789abcdef";
export const ISSUER = `https://cognito-idp.${REGION}.amazonaws.com/${USER_POOL_ID}`;
export const PROVIDER_NAME = `cognito-idp.${REGION}.amazonaws.com/${USER_POOL_ID}`;

export interface SigningKey {
    readonly kid: string;
    readonly privateKey: KeyObject;
    readonly jwk: Record<string, unknown>;
}

export function makeSigningKey(kid: string): SigningKey {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };
    return { kid, privateKey, jwk };
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

export interface TokenOptions {
    readonly header?: Record<string, unknown>;
    readonly claims?: Record<string, unknown>;
    readonly key?: SigningKey;
}

/** A valid IdToken of user `sub` unless the options say otherwise. */
export function idToken(key: SigningKey, sub: string, options: TokenOptions = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: "RS256", kid: key.kid, ...options.header };
    const claims = {
        sub,
        iss: ISSUER,
        aud: CLIENT_ID,
        token_use: "id",
        auth_time: now,
        iat: now,
        exp: now + 3600,
        "cognito:username": sub,
        "cognito:groups": ["user"],
        ...options.claims,
    };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signer = createSign("RSA-SHA256");
    signer.update(signingInput);
    return `${signingInput}.${signer.sign(options.key?.privateKey ?? key.privateKey).toString("base64url")}`;
}

/** A token with `alg: none` and an empty signature. */
export function unsignedToken(sub: string): string {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub, iss: ISSUER, aud: CLIENT_ID, token_use: "id", iat: now, exp: now + 3600 };
    return `${b64url(JSON.stringify({ alg: "none" }))}.${b64url(JSON.stringify(claims))}.`;
}

/** A token MACed with HS256 using the public key as the secret (the classic confusion attack). */
export function hs256Token(key: SigningKey, sub: string): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: "HS256", kid: key.kid };
    const claims = { sub, iss: ISSUER, aud: CLIENT_ID, token_use: "id", iat: now, exp: now + 3600 };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const mac = createHmac("sha256", JSON.stringify(key.jwk)).update(signingInput).digest("base64url");
    return `${signingInput}.${mac}`;
}

/** Replaces the payload of a signed token, keeping its header and signature. */
export function withTamperedPayload(token: string, claims: Record<string, unknown>): string {
    const [header, payload, signature] = token.split(".");
    const original = JSON.parse(Buffer.from(payload, "base64url").toString());
    return `${header}.${b64url(JSON.stringify({ ...original, ...claims }))}.${signature}`;
}

/** Flips one character in the middle of the signature. */
export function withTamperedSignature(token: string): string {
    const [header, payload, signature] = token.split(".");
    const i = Math.floor(signature.length / 2);
    const flipped = signature[i] === "A" ? "B" : "A";
    return `${header}.${payload}.${signature.slice(0, i)}${flipped}${signature.slice(i + 1)}`;
}

/**
 * The real Cognito verifier of aws-jwt-verify, fetching its JWKS through a local fetcher
 * that serves `keys` and counts fetches (a container's first request fetches once).
 */
export function localVerifier(keys: SigningKey[]) {
    const fetches = { count: 0 };
    const body = new TextEncoder().encode(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
    const jwksCache = new SimpleJwksCache({
        fetcher: {
            fetch: async () => {
                fetches.count++;
                return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
            },
        },
    });
    const verifier = CognitoJwtVerifier.create({ userPoolId: USER_POOL_ID, clientId: CLIENT_ID, tokenUse: "id" }, { jwksCache });
    return { verifier, fetches };
}
