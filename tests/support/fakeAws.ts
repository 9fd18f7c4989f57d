/**
 * A loopback HTTP server answering, as AWS would, the calls a token-exchange handler makes:
 * the user pool's JWKS, Cognito Identity GetId / GetCredentialsForIdentity, and S3 GetObject.
 * It lets a serialized handler run in a fresh Node process with "AWS answered locally".
 * Each identity's credentials carry its identity id in the access key, and S3 serves an
 * object only to the identity whose folder holds it, so signing with the wrong credentials
 * shows up as a 403.
 */
import * as http from "http";
import { AddressInfo } from "net";

export interface FakeAws {
    readonly url: string;
    readonly port: number;
    /** Requests seen, in order: `jwks`, `AdminGetUser`, `GetId`, `GetCredentialsForIdentity`, `GetObject <key>`. */
    readonly calls: string[];
    /** Objects by key; served only to the identity owning the key's folder. */
    readonly objects: Map<string, string>;
    close(): Promise<void>;
}

export interface FakeAwsOptions {
    readonly jwks: object;
    readonly region: string;
    readonly bucket: string;
    readonly prefix: string;
}

export const identityIdFor = (region: string, sub: string) => `${region}:fake-${sub}`;

function subOf(token: string): string {
    return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).sub;
}

export async function startFakeAws(options: FakeAwsOptions): Promise<FakeAws> {
    const calls: string[] = [];
    const objects = new Map<string, string>();
    const jwks = JSON.stringify(options.jwks);

    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const body = Buffer.concat(chunks).toString();
            const target = String(req.headers["x-amz-target"] ?? "");
            const url = new URL(req.url ?? "/", "http://localhost");
            if (url.pathname.endsWith("/.well-known/jwks.json")) {
                calls.push("jwks");
                res.writeHead(200, { "content-type": "application/json" }).end(jwks);
                return;
            }
            if (target === "AWSCognitoIdentityProviderService.AdminGetUser") {
                calls.push("AdminGetUser");
                const { Username } = JSON.parse(body);
                res.writeHead(200, { "content-type": "application/x-amz-json-1.1" }).end(
                    JSON.stringify({ Username, Enabled: true, UserStatus: "CONFIRMED", UserAttributes: [] }),
                );
                return;
            }
            if (target === "AWSCognitoIdentityService.GetId") {
                calls.push("GetId");
                const logins = JSON.parse(body).Logins as Record<string, string>;
                const sub = subOf(Object.values(logins)[0]);
                res.writeHead(200, { "content-type": "application/x-amz-json-1.1" }).end(
                    JSON.stringify({ IdentityId: identityIdFor(options.region, sub) }),
                );
                return;
            }
            if (target === "AWSCognitoIdentityService.GetCredentialsForIdentity") {
                calls.push("GetCredentialsForIdentity");
                const { IdentityId } = JSON.parse(body);
                res.writeHead(200, { "content-type": "application/x-amz-json-1.1" }).end(
                    JSON.stringify({
                        IdentityId,
                        Credentials: {
                            AccessKeyId: `ASIA${Buffer.from(IdentityId).toString("hex").toUpperCase()}`,
                            SecretKey: "fake-secret",
                            SessionToken: "fake-session",
                            Expiration: Math.floor(Date.now() / 1000) + 3600,
                        },
                    }),
                );
                return;
            }
            if (req.method === "GET" && url.pathname.startsWith(`/${options.bucket}/`)) {
                const key = decodeURIComponent(url.pathname.slice(options.bucket.length + 2));
                calls.push(`GetObject ${key}`);
                const credential = /Credential=ASIA([0-9A-F]+)\//.exec(String(req.headers.authorization ?? ""));
                const caller = credential ? Buffer.from(credential[1], "hex").toString() : "";
                const owner = key.split("/")[1];
                if (!caller || owner !== caller || key.split("/")[0] !== options.prefix) {
                    res.writeHead(403, { "content-type": "application/xml" }).end(
                        "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
                    );
                    return;
                }
                const content = objects.get(key);
                if (content === undefined) {
                    res.writeHead(404, { "content-type": "application/xml" }).end("<Error><Code>NoSuchKey</Code><Message>missing</Message></Error>");
                    return;
                }
                res.writeHead(200, { "content-type": "text/plain", "content-length": Buffer.byteLength(content) }).end(content);
                return;
            }
            calls.push(`unexpected ${req.method} ${req.url} ${target}`);
            res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ __type: "UnexpectedRequest" }));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    return {
        url: `http://127.0.0.1:${port}`,
        port,
        calls,
        objects,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}
