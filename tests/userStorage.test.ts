/**
 * The credential-floor client against the fake deployment (its Cognito identity pool and S3 decide
 * as the deployment would): calls counted per user across credential lifetimes, one issue shared
 * by concurrent reads, paths outside the user's folder refused before anything is sent, stored
 * identity ids checked, throttling backed off. The clock is the test's: the fake's credentials
 * expire an hour after it.
 */
import * as assert from "assert";
import { mkdtemp, readFile, rm, stat, writeFile } from "fs/promises";
import * as os from "os";
import * as path from "path";

import { TooManyRequestsException } from "@aws-sdk/client-cognito-identity";
import { S3ServiceException } from "@aws-sdk/client-s3";

import {
    createUserStorage,
    defaultConfigDir,
    fileIdentityIdStore,
    IdTokenRefusedError,
    memoryIdentityIdStore,
    OutsideOwnFolderError,
    UserStorageOptions,
} from "../client/userStorage";
import { FakeDeployment, startFakeDeployment } from "./support/fakeDeployment";

const HOUR = 3600_000;
const MINUTE = 60_000;

const tokenOf = (claims: Record<string, unknown>) => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    return `${part({ alg: "RS256", kid: "fake" })}.${part(claims)}.c2lnbmF0dXJl`;
};

describe("credential floor: UserStorage", () => {
    let fake: FakeDeployment;
    let t: number;
    let sent: { command: string; input: Record<string, unknown> }[];

    before(async () => {
        fake = await startFakeDeployment();
    });
    after(() => fake.close());
    beforeEach(() => {
        t = Date.UTC(2030, 0, 1);
        fake.clock = () => t;
        fake.calls.splice(0);
        fake.objects.clear();
        fake.users.clear();
        fake.beforeCall = undefined;
        sent = [];
        fake.afterCall = (command, input) => void sent.push({ command, input });
        for (const [email, sub] of [
            ["a@example.com", "sub-alice"],
            ["b@example.com", "sub-bob"],
        ]) {
            fake.users.set(email, { sub, status: "CONFIRMED", group: "user", created: new Date(t) });
        }
    });

    const out = () => fake.outputs;
    const idTokenOf = (sub: string, extra: Record<string, unknown> = {}) =>
        tokenOf({ sub, aud: out().userPoolClientId, token_use: "id", iss: `https://${out().userPoolProviderName}`, "cognito:groups": ["user"], ...extra });
    const count = (command: string) => fake.calls.filter((c) => c === command).length;

    function storageOf(sub: string, overrides: Partial<UserStorageOptions> = {}) {
        const waits: number[] = [];
        const logs: Record<string, unknown>[] = [];
        const storage = createUserStorage({
            region: out().region,
            identityPoolId: out().identityPoolId,
            providerName: out().userPoolProviderName,
            bucket: out().userFilesBucket,
            prefix: out().userFilesPrefix,
            idToken: () => idTokenOf(sub),
            now: () => t,
            retry: { random: () => 0.5, sleep: async (ms) => void waits.push(ms) },
            log: (entry) => logs.push(entry),
            ...overrides,
        });
        return { storage, waits, logs };
    }

    it("GIVEN one user reading across three credential lifetimes THEN 1 GetId and at most ceil(1.1 x 3) credential issues", async () => {
        const { storage } = storageOf("sub-alice");
        await storage.write("data.txt", "alice's data");
        const lifetimes = 3;
        let reads = 0;
        for (; t < Date.UTC(2030, 0, 1) + lifetimes * HOUR; t += MINUTE) {
            assert.strictEqual(await storage.read("data.txt"), "alice's data");
            reads++;
        }
        assert.strictEqual(reads, 180);
        assert.strictEqual(count("GetId"), 1);
        assert.ok(count("GetCredentialsForIdentity") <= Math.ceil(1.1 * lifetimes), `${count("GetCredentialsForIdentity")} issues`);
        // Renewed 5 minutes before each hour ends: at 0, 55, 110 and 165 minutes.
        assert.strictEqual(count("GetCredentialsForIdentity"), 4);
        assert.strictEqual(count("GetObject"), reads);
    });

    it("GIVEN the identity id kept in the device's store WHEN the user comes back in a new process THEN no GetId at all", async () => {
        const store = memoryIdentityIdStore();
        const first = storageOf("sub-alice", { store }).storage;
        const id = await first.identityId();
        await first.signOut();
        fake.calls.splice(0);
        const again = storageOf("sub-alice", { store }).storage;
        await again.write("notes.txt", "x");
        assert.strictEqual(await again.identityId(), id);
        assert.strictEqual(count("GetId"), 0);
        assert.strictEqual(count("GetCredentialsForIdentity"), 1);
    });

    it("GIVEN concurrent reads with no credentials yet THEN they share one GetId and one issue", async () => {
        const { storage } = storageOf("sub-alice");
        const id = await storageOf("sub-alice").storage.identityId();
        fake.objects.set(`${out().userFilesPrefix}/${id}/data.txt`, { body: "shared", lastModified: new Date() });
        fake.calls.splice(0);
        const answers = await Promise.all(Array.from({ length: 25 }, () => storage.read("data.txt")));
        assert.ok(answers.every((a) => a === "shared"));
        assert.strictEqual(count("GetId"), 1);
        assert.strictEqual(count("GetCredentialsForIdentity"), 1);

        // At renewal time too: the reads that find credentials about to expire share one renewal.
        t += 56 * MINUTE;
        await Promise.all(Array.from({ length: 25 }, () => storage.read("data.txt")));
        assert.strictEqual(count("GetCredentialsForIdentity"), 2);
    });

    it("GIVEN a sign-out while credentials are being issued THEN they are not kept: the next read asks for new ones", async () => {
        const { storage } = storageOf("sub-alice");
        await storage.identityId();
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        fake.beforeCall = async (command) => {
            if (command === "GetCredentialsForIdentity") await held;
        };
        const inFlight = storage.credentials();
        await new Promise((resolve) => setTimeout(resolve, 20));
        await storage.signOut();
        fake.beforeCall = undefined;
        release();
        // The caller that asked before the sign-out still gets its answer.
        assert.ok((await inFlight).accessKeyId);
        fake.calls.splice(0);
        await storage.credentials();
        assert.strictEqual(count("GetCredentialsForIdentity"), 1, "the credentials issued across the sign-out were kept");
    });

    it("refuses another user's folder, and any path that is not a plain name in the user's own, without a request", async () => {
        const alice = storageOf("sub-alice").storage;
        const bob = storageOf("sub-bob").storage;
        await bob.write("data.txt", "bob's data");
        await alice.write("data.txt", "alice's data");
        const bobKey = await bob.keyOf("data.txt");
        const before = fake.calls.length;
        for (const name of [bobKey, `${out().userFilesPrefix}/data.txt`, "/etc/passwd", "../other/data.txt", "a/../../b", "./data.txt", "a//b", "", "a\u0000b"]) {
            await assert.rejects(alice.read(name), (error: Error) => error instanceof OutsideOwnFolderError && /nothing was sent/.test(error.message), name);
            await assert.rejects(alice.write(name, "x"), OutsideOwnFolderError, name);
        }
        assert.strictEqual(fake.calls.length, before, "nothing was sent for a refused path");
        assert.strictEqual(await alice.read(await alice.keyOf("data.txt")), "alice's data", "a key inside the own folder is taken as it is");
        assert.deepStrictEqual(await alice.list(), ["data.txt"]);
        await alice.remove("data.txt");
        assert.deepStrictEqual(await alice.list(), []);
    });

    it("leaves the decision to IAM: the user's credentials themselves are denied another user's folder", async () => {
        const alice = storageOf("sub-alice").storage;
        const bob = storageOf("sub-bob").storage;
        await bob.write("data.txt", "bob's data");
        const s3 = fake.clients.s3For(await alice.credentials());
        const { GetObjectCommand } = await import("@aws-sdk/client-s3");
        await assert.rejects(s3.send(new GetObjectCommand({ Bucket: out().userFilesBucket, Key: await bob.keyOf("data.txt") })), { name: "AccessDenied" });
    });

    for (const [what, tamper] of [
        ["another identity pool's", (r: Record<string, string>) => ({ ...r, identityPoolId: `${out().region}:other-pool` })],
        ["another user pool's", (r: Record<string, string>) => ({ ...r, providerName: "cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_Other" })],
        ["another user's", (r: Record<string, string>) => ({ ...r, sub: "sub-bob" })],
        ["not an identity id", (r: Record<string, string>) => ({ ...r, identityId: "../../other" })],
    ] as const) {
        it(`refuses a stored identity id that is ${what}: it is never sent, GetId is asked once, the record replaced`, async () => {
            const store = memoryIdentityIdStore();
            const bobId = await storageOf("sub-bob").storage.identityId();
            const own = await storageOf("sub-alice", { store }).storage.identityId();
            const key = `${out().identityPoolId}|${out().userPoolProviderName}|sub-alice`;
            const record = JSON.parse((await store.get(key))!) as Record<string, string>;
            await store.set(key, JSON.stringify(tamper({ ...record, identityId: bobId })));
            fake.calls.splice(0);
            sent = [];

            const { storage, logs } = storageOf("sub-alice", { store });
            await storage.write("data.txt", "x");
            assert.strictEqual(count("GetId"), 1);
            assert.ok(sent.filter((s) => s.command === "GetCredentialsForIdentity").every((s) => s.input.IdentityId === own));
            assert.strictEqual(await storage.keyOf("data.txt"), `${out().userFilesPrefix}/${own}/data.txt`);
            assert.deepStrictEqual(logs.filter((l) => l.event === "stored-identity-refused").length, 1);
            assert.strictEqual(JSON.parse((await store.get(key))!).identityId, own);
        });
    }

    for (const text of ["null", "42", "{not json"]) {
        it(`refuses a stored record that is not a JSON object (${text}): GetId is asked once and the record replaced`, async () => {
            const store = memoryIdentityIdStore();
            const key = `${out().identityPoolId}|${out().userPoolProviderName}|sub-alice`;
            await store.set(key, text);
            fake.calls.splice(0);
            const { storage, logs } = storageOf("sub-alice", { store });
            const own = await storage.identityId();
            assert.strictEqual(count("GetId"), 1);
            assert.deepStrictEqual(logs.filter((l) => l.event === "stored-identity-refused").length, 1);
            assert.strictEqual(JSON.parse((await store.get(key))!).identityId, own);
        });
    }

    it("refuses an expired IdToken, an access token, another pool's token and another user's, without a request", async () => {
        const cases: [string, () => string][] = [
            ["expired", () => idTokenOf("sub-alice", { exp: Math.floor(t / 1000) - 1 })],
            ["access token", () => idTokenOf("sub-alice", { token_use: "access" })],
            ["another pool", () => idTokenOf("sub-alice", { iss: "https://cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_Other" })],
        ];
        for (const [what, idToken] of cases) {
            await assert.rejects(storageOf("sub-alice", { idToken }).storage.read("data.txt"), IdTokenRefusedError, what);
        }
        assert.strictEqual(fake.calls.length, 0);

        let sub = "sub-alice";
        const { storage } = storageOf("sub-alice", { idToken: () => idTokenOf(sub) });
        await storage.write("data.txt", "x");
        sub = "sub-bob";
        await assert.rejects(storage.read("data.txt"), /another user than this UserStorage's/);
    });

    it("GIVEN GetCredentialsForIdentity throttled twice THEN it backs off with jitter, and GetId is not repeated", async () => {
        let throttles = 2;
        fake.beforeCall = (command) => {
            if (command === "GetCredentialsForIdentity" && throttles-- > 0) throw new TooManyRequestsException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } });
        };
        const { storage, waits } = storageOf("sub-alice");
        await storage.write("data.txt", "x");
        assert.strictEqual(count("GetCredentialsForIdentity"), 3);
        assert.strictEqual(count("GetId"), 1);
        assert.deepStrictEqual(waits, [50, 100]);
    });

    it("GIVEN S3 answering SlowDown THEN the read backs off and succeeds; lasting throttling ends in the throttling error", async () => {
        const { storage, waits } = storageOf("sub-alice");
        await storage.write("data.txt", "x");
        let slowDowns = 1;
        fake.beforeCall = (command) => {
            if (command === "GetObject" && slowDowns-- > 0) throw new S3ServiceException({ name: "SlowDown", $fault: "server", $metadata: { httpStatusCode: 503 }, message: "Please reduce your request rate." });
        };
        assert.strictEqual(await storage.read("data.txt"), "x");
        assert.deepStrictEqual(waits, [50]);
        slowDowns = 100;
        await assert.rejects(storage.read("data.txt"), { name: "SlowDown" });
        assert.strictEqual(count("GetCredentialsForIdentity"), 1, "a throttled read does not issue credentials again");
    });

    it("GIVEN the kept identity was deleted THEN one GetId finds the new one", async () => {
        const store = memoryIdentityIdStore();
        const old = await storageOf("sub-alice", { store }).storage.identityId();
        fake.identities.delete(old);
        fake.calls.splice(0);
        const { storage } = storageOf("sub-alice", { store });
        await storage.write("data.txt", "x");
        assert.notStrictEqual(await storage.identityId(), old);
        assert.strictEqual(count("GetId"), 1);
    });

    it("refuses options that name no pool or prefix it can use", () => {
        const base = { region: "ap-northeast-1", identityPoolId: "ap-northeast-1:abc", providerName: "cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_Pool", bucket: "b", prefix: "p", idToken: () => "" };
        assert.throws(() => createUserStorage({ ...base, identityPoolId: "abc" }), /identityPoolId must be '<region>:<id>', got 'abc'/);
        assert.throws(() => createUserStorage({ ...base, providerName: "accounts.google.com" }), /providerName must be/);
        assert.throws(() => createUserStorage({ ...base, prefix: "p/" }), /prefix must be/);
        assert.throws(() => createUserStorage({ ...base, refreshMarginMs: -1 }), /refreshMarginMs must be a non-negative number, got '-1'/);
    });
});

describe("credential floor: the identity id store on disk", () => {
    let dir: string;
    beforeEach(async () => {
        dir = await mkdtemp(path.join(os.tmpdir(), "floor-store-"));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it("keeps identity ids in a file only its owner reads and writes, in a folder only its owner enters", async function () {
        if (process.platform === "win32") this.skip();
        const file = path.join(dir, "cfg", "identity-ids.json");
        const store = fileIdentityIdStore(file);
        await store.set("k", "v");
        assert.strictEqual(await store.get("k"), "v");
        assert.strictEqual((await stat(file)).mode & 0o777, 0o600);
        assert.strictEqual((await stat(path.dirname(file))).mode & 0o777, 0o700);
        await store.delete("k");
        assert.strictEqual(await store.get("k"), undefined);
        assert.deepStrictEqual(JSON.parse(await readFile(file, "utf8")), {});
    });

    it("refuses a file others may write: whoever writes it would choose the folder read", async function () {
        if (process.platform === "win32") this.skip();
        const file = path.join(dir, "identity-ids.json");
        await writeFile(file, "{}", { mode: 0o666 });
        const { chmod } = await import("fs/promises");
        await chmod(file, 0o666);
        await assert.rejects(fileIdentityIdStore(file).get("k"), /writable by other users .*chmod 600/);
    });

    it("holds identity records only: no credentials, no tokens", async () => {
        const fake = await startFakeDeployment();
        try {
            fake.users.set("a@example.com", { sub: "sub-alice", status: "CONFIRMED", group: "user", created: new Date() });
            const file = path.join(dir, "identity-ids.json");
            const storage = createUserStorage({
                region: fake.outputs.region,
                identityPoolId: fake.outputs.identityPoolId,
                providerName: fake.outputs.userPoolProviderName,
                bucket: fake.outputs.userFilesBucket,
                prefix: fake.outputs.userFilesPrefix,
                idToken: () => tokenOf({ sub: "sub-alice", aud: fake.outputs.userPoolClientId, token_use: "id", "cognito:groups": ["user"] }),
                store: fileIdentityIdStore(file),
            });
            await storage.write("data.txt", "x");
            const credentials = await storage.credentials();
            const text = await readFile(file, "utf8");
            for (const secret of [credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken!, "eyJ", "c2lnbmF0dXJl"]) {
                assert.ok(!text.includes(secret), `the store must not hold ${secret}`);
            }
            const [record] = Object.values(JSON.parse(text) as Record<string, string>).map((v) => JSON.parse(v));
            assert.deepStrictEqual(Object.keys(record).sort(), ["identityId", "identityPoolId", "providerName", "sub"]);
        } finally {
            await fake.close();
        }
    });

    it("lives in the user's config folder", () => {
        assert.strictEqual(defaultConfigDir({ XDG_CONFIG_HOME: "/x/cfg" }, "linux"), path.join("/x/cfg", "federated-access"));
        assert.strictEqual(defaultConfigDir({ HOME: "/home/u" }, "linux").endsWith(path.join(".config", "federated-access")), true);
    });
});
