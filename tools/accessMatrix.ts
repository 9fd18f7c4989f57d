/**
 * Who can do what in one stack: principals × actions, each cell decided by the IAM policy
 * engine from the policies the program synthesizes. A principal's rights are those of the
 * role sessions it can obtain (identity-pool role mapping, trust policies), so a cell is
 * Allowed only if IAM would let that principal get there and then do it.
 */
import { GITHUB_AUDIENCE, GITHUB_OIDC_HOST } from "../components/githubCi";
import { decide, sessionOf } from "./iamEngine";
import { ACCOUNT_ID, policiesOfRole, policyOf, ProgramRun } from "./mockRun";

export type Cell = "Allowed" | "Denied";

export interface AccessMatrix {
    readonly stack: string;
    readonly columns: string[];
    readonly rows: { readonly principal: string; readonly cells: Record<string, Cell> }[];
}

/** The caller account of the stack files and an account that is not it. */
const CALLER_ACCOUNT = "210987654321";
const OTHER_ACCOUNT = "999988887777";
const IDENTITY = {
    A: "ap-northeast-1:aaaaaaaa-0000-4000-8000-000000000001",
    B: "ap-northeast-1:bbbbbbbb-0000-4000-8000-000000000002",
    admin: "ap-northeast-1:cccccccc-0000-4000-8000-000000000003",
};
const REPO = "example-org/federated-access";

/** How a principal gets in: a role it may assume, and the question that decides it. */
interface Entry {
    readonly roleArn: string;
    readonly question: Parameters<typeof decide>[0];
}

interface Principal {
    readonly name: string;
    /** Identity id, for identity-pool principals (substituted into per-identity policies). */
    readonly identityId?: string;
    /** The ways in; the principal holds every role whose question is Allowed. */
    readonly entries: Entry[];
}

const roleNameOf = (arn: string) => arn.split("/").pop() as string;

export async function accessMatrix(run: ProgramRun): Promise<AccessMatrix> {
    const o = run.outputs;
    const trustOf = (resourceName: string) => policyOf(run.one("aws:iam/role:Role", resourceName), "assumeRolePolicy");
    const identityEntry = (group: "user" | "admin", amr: string[]): Entry => ({
        roleArn: o[`${group}RoleArn`],
        question: {
            principal: "cognito-identity.amazonaws.com",
            action: "sts:AssumeRoleWithWebIdentity",
            resource: o[`${group}RoleArn`],
            resourcePolicy: trustOf(`identities-${group}`),
            context: { "cognito-identity.amazonaws.com:aud": o.identityPoolId, "cognito-identity.amazonaws.com:amr": amr },
        },
    });
    const callerEntry = (account: string, role: string): Entry => ({
        roleArn: o.stageAccessRoleArn,
        question: {
            principal: `arn:aws:sts::${account}:assumed-role/${role}/caller`,
            action: "sts:AssumeRole",
            resource: o.stageAccessRoleArn,
            identityPolicies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }] }],
            resourcePolicy: trustOf("stage-access-role"),
        },
    });
    const githubEntries = (sub: string): Entry[] =>
        o.ciPreviewRoleArn === undefined
            ? []
            : (["preview", "deploy"] as const).map((kind) => ({
                  roleArn: o[kind === "preview" ? "ciPreviewRoleArn" : "ciDeployRoleArn"],
                  question: {
                      principal: o.githubOidcProviderArn,
                      action: "sts:AssumeRoleWithWebIdentity",
                      resource: o[kind === "preview" ? "ciPreviewRoleArn" : "ciDeployRoleArn"],
                      resourcePolicy: trustOf(`ci-${kind}`),
                      context: { [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_AUDIENCE, [`${GITHUB_OIDC_HOST}:sub`]: sub },
                      webIdentityProvider: GITHUB_OIDC_HOST,
                  },
              }));
    const authenticated = ["authenticated", o.userPoolProviderName];
    const deployEnvironment = run.config["federated-access:githubDeployEnvironment"];

    const principals: Principal[] = [
        // The identity pool maps a user-group member to the user role and an admin to the admin role.
        { name: "identity A (user group)", identityId: IDENTITY.A, entries: [identityEntry("user", authenticated)] },
        { name: "identity B (user group)", identityId: IDENTITY.B, entries: [identityEntry("user", authenticated)] },
        { name: "admin identity", identityId: IDENTITY.admin, entries: [identityEntry("admin", authenticated)] },
        {
            name: "unauthenticated identity",
            identityId: "ap-northeast-1:dddddddd-0000-4000-8000-000000000004",
            entries: [identityEntry("user", ["unauthenticated"]), identityEntry("admin", ["unauthenticated"])],
        },
        { name: "LambdaRoleDeve (caller account)", entries: [callerEntry(CALLER_ACCOUNT, "LambdaRoleDeve")] },
        { name: "LambdaRoleProd (caller account)", entries: [callerEntry(CALLER_ACCOUNT, "LambdaRoleProd")] },
        { name: "LambdaRoleDeve (another account)", entries: [callerEntry(OTHER_ACCOUNT, "LambdaRoleDeve")] },
        {
            name: "IdToken of this app client (OIDC)",
            entries: [
                {
                    roleArn: o.oidcReaderRoleArn,
                    question: {
                        principal: o.oidcProviderArn,
                        action: "sts:AssumeRoleWithWebIdentity",
                        resource: o.oidcReaderRoleArn,
                        resourcePolicy: trustOf("oidc-role"),
                        context: { [`${o.userPoolProviderName}:aud`]: o.userPoolClientId, [`${o.userPoolProviderName}:sub`]: "user-sub" },
                        webIdentityProvider: o.userPoolProviderName,
                    },
                },
            ],
        },
        { name: "GitHub pull request", entries: githubEntries(`repo:${REPO}:pull_request`) },
        {
            name: deployEnvironment ? `GitHub '${deployEnvironment}' environment` : "GitHub push to main",
            entries: githubEntries(deployEnvironment ? `repo:${REPO}:environment:${deployEnvironment}` : `repo:${REPO}:ref:refs/heads/main`),
        },
        { name: "GitHub, another repository", entries: githubEntries("repo:other-org/federated-access:pull_request") },
    ];

    const bucket = o.userFilesBucket;
    const prefix = o.userFilesPrefix;
    const apiArn = `arn:aws:execute-api:${o.region}:${ACCOUNT_ID}:${o.apiId}/$default`;
    const tls = { "aws:SecureTransport": "true", "aws:RequestedRegion": o.region };
    const bucketPolicy = policyOf(run.one("aws:s3/bucketPolicy:BucketPolicy", "user-files-policy"));

    type Action = { column: string; action: string; resource: string; context?: Record<string, string>; resourcePolicy?: object };
    const actions: Action[] = [
        { column: "read A's file", action: "s3:GetObject", resource: `arn:aws:s3:::${bucket}/${prefix}/${IDENTITY.A}/data.txt`, resourcePolicy: bucketPolicy },
        { column: "write A's folder", action: "s3:PutObject", resource: `arn:aws:s3:::${bucket}/${prefix}/${IDENTITY.A}/new.txt`, resourcePolicy: bucketPolicy },
        { column: "read B's file", action: "s3:GetObject", resource: `arn:aws:s3:::${bucket}/${prefix}/${IDENTITY.B}/data.txt`, resourcePolicy: bucketPolicy },
        { column: "list bucket root", action: "s3:ListBucket", resource: `arn:aws:s3:::${bucket}`, context: { "s3:prefix": "" }, resourcePolicy: bucketPolicy },
        ...(o.apiRoutes as string[]).map((route) => {
            const [method, path] = route.split(" ");
            return { column: route, action: "execute-api:Invoke", resource: `${apiArn}/${method}${path}` };
        }),
    ];
    const roleColumns: [string, string | undefined][] = [
        [`assume ${roleNameOf(o.userRoleArn)}`, o.userRoleArn],
        [`assume ${roleNameOf(o.adminRoleArn)}`, o.adminRoleArn],
        [`assume ${roleNameOf(o.stageAccessRoleArn)}`, o.stageAccessRoleArn],
        [`assume ${roleNameOf(o.oidcReaderRoleArn)}`, o.oidcReaderRoleArn],
        ...(o.ciPreviewRoleArn
            ? ([
                  [`assume ${roleNameOf(o.ciPreviewRoleArn)}`, o.ciPreviewRoleArn],
                  [`assume ${roleNameOf(o.ciDeployRoleArn)}`, o.ciDeployRoleArn],
              ] as [string, string][])
            : []),
    ];

    const rows: AccessMatrix["rows"][number][] = [];
    for (const principal of principals) {
        const held: string[] = [];
        for (const entry of principal.entries) {
            if ((await decide(entry.question)) === "Allowed") {
                held.push(entry.roleArn);
            }
        }
        const cells: Record<string, Cell> = {};
        for (const [column, roleArn] of roleColumns) {
            cells[column] = roleArn !== undefined && held.includes(roleArn) ? "Allowed" : "Denied";
        }
        for (const a of actions) {
            let allowed = false;
            for (const roleArn of held) {
                const decision = await decide({
                    principal: sessionOf(roleArn, "session"),
                    action: a.action,
                    resource: a.resource,
                    identityPolicies: policiesOfRole(run, roleNameOf(roleArn)),
                    resourcePolicy: a.resourcePolicy,
                    context: { ...tls, ...a.context },
                    identityId: principal.identityId,
                });
                if (decision === "Allowed") {
                    allowed = true;
                    break;
                }
            }
            cells[a.column] = allowed ? "Allowed" : "Denied";
        }
        rows.push({ principal: principal.name, cells });
    }
    return { stack: run.stack, columns: [...actions.map((a) => a.column), ...roleColumns.map(([c]) => c)], rows };
}

/** Cell-by-cell differences, one readable line each. */
export function diffMatrices(expected: AccessMatrix, actual: AccessMatrix): string[] {
    const lines: string[] = [];
    const expectedRows = new Map(expected.rows.map((r) => [r.principal, r.cells]));
    const actualRows = new Map(actual.rows.map((r) => [r.principal, r.cells]));
    for (const principal of new Set([...expectedRows.keys(), ...actualRows.keys()])) {
        const e = expectedRows.get(principal);
        const a = actualRows.get(principal);
        if (!e || !a) {
            lines.push(`${actual.stack}: principal '${principal}' ${e ? "disappeared" : "is new"}`);
            continue;
        }
        for (const column of new Set([...Object.keys(e), ...Object.keys(a)])) {
            if (e[column] !== a[column]) {
                lines.push(`${actual.stack}: ${principal} × ${column}: expected ${e[column] ?? "(no column)"}, now ${a[column] ?? "(no column)"}`);
            }
        }
    }
    return lines;
}
