/**
 * Each CrossGuard rule, called directly (no CLI), passes the resources the program really
 * synthesizes and fails a resource that breaks it.
 */
import * as assert from "assert";

import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

import {
    bucketsPrivateEncryptedTlsOnly,
    crossAccountTrustNamesRole,
    identityPoolAuthenticatedOnly,
    lambdaExplicitRole,
    prodDataProtected,
    routesRequireIam,
    webIdentityTrustPinned,
    workloadRolesBounded,
} from "../policy/rules";
import { PROJECT, ProgramRun, RecordedResource, stackRun, STAGES } from "./harness";

type Props = Record<string, any>;

function urnOf(run: ProgramRun, r: { type: string; name: string }) {
    return `urn:pulumi:${run.stack}::${PROJECT}::${r.type}::${r.name}`;
}

/** The program's resources as CrossGuard sees them in a stack validation. */
function policyResources(run: ProgramRun, replace: (r: RecordedResource) => Props | undefined = () => undefined): PolicyResource[] {
    const resources = run.resources
        .filter((r) => r.custom)
        .map((r) => ({
            type: r.type,
            name: r.name,
            urn: urnOf(run, r),
            props: { id: r.id, ...r.state, ...(replace(r) ?? {}) },
            opts: { protect: r.options.protect, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 } },
            dependencies: [] as PolicyResource[],
            propertyDependencies: {} as Record<string, PolicyResource[]>,
        }));
    // Property dependencies, as the engine reports them: an input holding another resource's id.
    for (const resource of resources) {
        for (const [key, value] of Object.entries(resource.props)) {
            const target = resources.find((t) => t !== resource && typeof value === "string" && t.props.id === value);
            if (target && key !== "id") resource.propertyDependencies[key] = [target as unknown as PolicyResource];
        }
    }
    return resources as unknown as PolicyResource[];
}

async function violationsOfResource(rule: ResourceValidationPolicy, run: ProgramRun, r: { type: string; name: string; props: Props; protect?: boolean }, config: object = {}) {
    const found: string[] = [];
    await (rule.validateResource as any)(
        {
            type: r.type,
            name: r.name,
            urn: urnOf(run, r),
            props: r.props,
            opts: { protect: r.protect ?? false },
            stackTags: new Map(),
            getConfig: () => config,
            notApplicable: () => {
                throw new Error("not applicable");
            },
        },
        (message: string) => found.push(message),
    );
    return found;
}

async function violationsOfStack(rule: StackValidationPolicy, resources: PolicyResource[]) {
    const found: string[] = [];
    await rule.validateStack({ resources, stackTags: new Map(), getConfig: () => ({}) as never, notApplicable: () => { throw new Error("n/a"); } } as any, (message: string) => found.push(message));
    return found;
}

describe("CrossGuard policy pack", () => {
    let run: ProgramRun;
    before(async () => {
        run = await stackRun("prod");
    });
    const each = async (rule: ResourceValidationPolicy, type: string, config: object = {}) => {
        const all: string[] = [];
        for (const r of run.ofType(type)) {
            // The options the program really registered, never a stand-in.
            all.push(...(await violationsOfResource(rule, run, { ...r, props: r.state, protect: r.options.protect }, config)));
        }
        return all;
    };
    const role = (name: string) => run.one("aws:iam/role:Role", name);
    const withTrust = (name: string, edit: (trust: any) => void) => {
        const r = role(name);
        const trust = JSON.parse(r.state.assumeRolePolicy);
        edit(trust);
        return { type: r.type, name: r.name, props: { ...r.state, assumeRolePolicy: JSON.stringify(trust) } };
    };

    it("http-api-routes-iam-authorized: passes the program's routes, fails an open route", async () => {
        assert.deepStrictEqual(await each(routesRequireIam, "aws:apigatewayv2/route:Route"), []);
        const route = run.one("aws:apigatewayv2/route:Route", "api-get-whoami-route");
        assert.deepStrictEqual(await violationsOfResource(routesRequireIam, run, { ...route, props: { ...route.state, authorizationType: "NONE" } }), [
            "route 'GET /whoami' uses 'NONE' authorization; every route must use AWS_IAM",
        ]);
    });

    it("identity-pool-authenticated-only: passes the program's pool, fails unauthenticated access or the classic flow", async () => {
        assert.deepStrictEqual(await each(identityPoolAuthenticatedOnly, "aws:cognito/identityPool:IdentityPool"), []);
        const pool = run.one("aws:cognito/identityPool:IdentityPool");
        assert.deepStrictEqual(await violationsOfResource(identityPoolAuthenticatedOnly, run, { ...pool, props: { ...pool.state, allowUnauthenticatedIdentities: true, allowClassicFlow: true } }), [
            "allowUnauthenticatedIdentities must be false",
            "allowClassicFlow (the basic flow) must be off",
        ]);
    });

    it("web-identity-trust-pinned: passes every program role, fails an unpinned audience, subject or amr", async () => {
        assert.deepStrictEqual(await each(webIdentityTrustPinned, "aws:iam/role:Role"), []);
        // Every stack's roles, the development stages' pull-request previews (by the repository's ids) among them.
        for (const stage of STAGES) {
            const other = await stackRun(stage);
            for (const r of other.ofType("aws:iam/role:Role")) {
                assert.deepStrictEqual(await violationsOfResource(webIdentityTrustPinned, other, { ...r, props: r.state, protect: r.options.protect }), [], `${stage} ${r.name}`);
            }
        }
        const deve = await stackRun("deve");
        const preview = deve.one("aws:iam/role:Role", "ci-preview");
        const anyRef = { type: preview.type, name: preview.name, props: { ...preview.state, assumeRolePolicy: preview.state.assumeRolePolicy.replace(/:pull_request:ref:refs\/pull\/\*\/merge/, ":*") } };
        assert.match(anyRef.props.assumeRolePolicy, /@\d+\/federated-access@\d+:\*"/, "the pattern edited is the repository's immutable form");
        assert.deepStrictEqual(await violationsOfResource(webIdentityTrustPinned, deve, anyRef), [
            "GitHub trust may match only a pull request number with StringLike, got repo:example-org@1000001/federated-access@2000002:*",
        ]);
        const noAud = withTrust("oidc-role", (t) => (t.Statement[0].Condition = {}));
        assert.match((await violationsOfResource(webIdentityTrustPinned, run, noAud))[0], /must pin cognito-idp\..*:aud/);
        const wildcardSub = withTrust("ci-deploy", (t) => (t.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"] = "repo:example-org/*"));
        assert.deepStrictEqual(await violationsOfResource(webIdentityTrustPinned, run, wildcardSub), ["GitHub trust must name exact subjects, got repo:example-org/*"]);
        const noSub = withTrust("ci-deploy", (t) => delete t.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]);
        assert.deepStrictEqual(await violationsOfResource(webIdentityTrustPinned, run, noSub), ["GitHub trust must pin token.actions.githubusercontent.com:sub"]);
        const anyAmr = withTrust("identities-user", (t) => delete t.Statement[0].Condition["ForAnyValue:StringLike"]);
        assert.deepStrictEqual(await violationsOfResource(webIdentityTrustPinned, run, anyAmr), ["identity-pool trust must require amr 'authenticated'"]);
    });

    it("cross-account-trust-names-a-role: passes the stage role, fails a root, a wildcard or a missing ExternalId", async () => {
        assert.deepStrictEqual(await each(crossAccountTrustNamesRole, "aws:iam/role:Role"), []);
        for (const principal of ["arn:aws:iam::210987654321:root", "210987654321", "arn:aws:iam::210987654321:role/*"]) {
            const bad = withTrust("stage-access-role", (t) => (t.Statement[0].Principal = { AWS: principal }));
            assert.deepStrictEqual(await violationsOfResource(crossAccountTrustNamesRole, run, bad), [
                `trust principal '${principal}' must be one role's ARN, not '*', ':root' or an account`,
            ]);
        }
        const star = withTrust("stage-access-role", (t) => (t.Statement[0].Principal = "*"));
        assert.deepStrictEqual(await violationsOfResource(crossAccountTrustNamesRole, run, star), ["trust policy allows Principal '*'"]);
        const stageRole = { ...role("stage-access-role"), props: role("stage-access-role").state };
        assert.deepStrictEqual(await violationsOfResource(crossAccountTrustNamesRole, run, stageRole, { requireExternalId: true }), ["cross-account trust must require sts:ExternalId"]);
        const withExternalId = withTrust("stage-access-role", (t) => (t.Statement[0].Condition = { StringEquals: { "sts:ExternalId": "x" } }));
        assert.deepStrictEqual(await violationsOfResource(crossAccountTrustNamesRole, run, withExternalId, { requireExternalId: true }), []);
    });

    it("buckets-private-encrypted-tls-only: passes the program's buckets, fails a bucket missing each protection", async () => {
        assert.deepStrictEqual(await violationsOfStack(bucketsPrivateEncryptedTlsOnly, policyResources(run)), []);
        const broken = policyResources(run, (r) => {
            if (r.name === "user-files-public-access") return { restrictPublicBuckets: false };
            if (r.name === "user-files-policy") return { policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }) };
            if (r.name === "user-files-ownership") return { rule: { objectOwnership: "ObjectWriter" } };
            if (r.name === "user-files-encryption") return { bucket: "someone-elses-bucket" };
            return undefined;
        });
        const violations = await violationsOfStack(bucketsPrivateEncryptedTlsOnly, broken);
        assert.deepStrictEqual(violations, [
            "bucket 'user-files-bucket' lacks a public access block with all four settings on",
            "bucket 'user-files-bucket' must enforce bucket-owner ownership (ACLs off)",
            "bucket 'user-files-bucket' has no default encryption",
            "bucket 'user-files-bucket' has no policy denying requests without TLS",
        ]);
    });

    it("lambda-explicit-least-privilege-role: passes the program's functions, fails CallbackFunction's default managed policies", async () => {
        assert.deepStrictEqual(await violationsOfStack(lambdaExplicitRole, policyResources(run)), []);
        const resources = policyResources(run);
        const fnRole = resources.find((r) => r.name === "read-file-role")!;
        resources.push({
            type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            name: "read-file-fn-s3",
            urn: "urn:pulumi:prod::federated-access::aws:iam/rolePolicyAttachment:RolePolicyAttachment::read-file-fn-s3",
            props: { role: fnRole.props.name, policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" },
            propertyDependencies: {},
            dependencies: [],
        } as unknown as PolicyResource);
        assert.deepStrictEqual(await violationsOfStack(lambdaExplicitRole, resources), [
            "function 'read-file-fn' role has the broad managed policy arn:aws:iam::aws:policy/AmazonS3FullAccess",
        ]);
        const noRole = policyResources(run, (r) => (r.name === "whoami-fn" ? { role: "" } : undefined));
        assert.deepStrictEqual(await violationsOfStack(lambdaExplicitRole, noRole), ["function 'whoami-fn' has no role"]);
    });

    it("prod-data-protected: passes protected prod data, fails unprotected data in prod only", async () => {
        const pool = run.one("aws:cognito/userPool:UserPool");
        const bucket = run.one("aws:s3/bucket:Bucket", "user-files-bucket");
        assert.deepStrictEqual(await each(prodDataProtected, "aws:cognito/userPool:UserPool"), [], "with the options the program registers");
        assert.deepStrictEqual(await each(prodDataProtected, "aws:s3/bucket:Bucket"), [], "with the options the program registers");
        assert.deepStrictEqual(await violationsOfResource(prodDataProtected, run, { ...pool, props: { ...pool.state, deletionProtection: "INACTIVE" }, protect: false }), [
            "user pool must have deletionProtection ACTIVE",
            "user pool must be protected (protect: true)",
        ]);
        assert.deepStrictEqual(await violationsOfResource(prodDataProtected, run, { ...bucket, props: { ...bucket.state, forceDestroy: true }, protect: true }), [
            "bucket must not be force-destroyable",
        ]);
        const deve = await stackRun("deve");
        const devePool = deve.one("aws:cognito/userPool:UserPool");
        assert.deepStrictEqual(await violationsOfResource(prodDataProtected, deve, { ...devePool, props: devePool.state }), [], "deve is not a protected stack");
    });

    it("workload-roles-bounded: passes every program role, fails a workload role without its boundary", async () => {
        assert.deepStrictEqual(await each(workloadRolesBounded, "aws:iam/role:Role"), []);
        const unbounded = role("identities-admin");
        assert.deepStrictEqual(await violationsOfResource(workloadRolesBounded, run, { ...unbounded, props: { ...unbounded.state, permissionsBoundary: undefined } }), [
            "role 'federated-access-prod-admin-identity' has no permissions boundary",
        ]);
        const ciRole = role("ci-deploy");
        assert.strictEqual(ciRole.inputs.permissionsBoundary, undefined, "CI roles are administrator-managed and unbounded");
        assert.deepStrictEqual(await violationsOfResource(workloadRolesBounded, run, { ...ciRole, props: ciRole.state }), []);
    });
});
