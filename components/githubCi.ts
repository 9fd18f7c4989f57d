import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { checkRolePath } from "./naming";
import { ciDeployPolicy, ciPreviewPolicy, StageScope, webIdentityTrustPolicy } from "./policies";

/** GitHub Actions' OIDC issuer host and the audience configure-aws-credentials asks for. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_AUDIENCE = "sts.amazonaws.com";

const REPOSITORY = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;
const ENVIRONMENT = /^[A-Za-z0-9._-]{1,255}$/;
const BRANCH = /^[A-Za-z0-9._/-]{1,255}$/;

export interface GitHubCiRolesArgs {
    /** `owner/name` of the only repository whose workflows may assume the roles. */
    readonly repository: string;
    /**
     * ARN of an existing GitHub OIDC provider of the account (there can be only one per
     * account, so stacks sharing an account name it). @default one is created
     */
    readonly existingProviderArn?: string;
    /**
     * GitHub environment of the deploy job. When set, only jobs of that environment may
     * assume the deploy role (protect the environment so that only `deployBranch` deploys).
     * @default none: the deploy role trusts pushes to `deployBranch`
     */
    readonly deployEnvironment?: string;
    /** @default "main" */
    readonly deployBranch?: string;
    /** Physical name prefix of the roles, e.g. `federated-access-deve`. */
    readonly roleNamePrefix: string;
    /** IAM path of the roles; keep it outside what the deploy role may change. */
    readonly rolePath: string;
    /** What the stage owns; the roles' rights are limited to it. */
    readonly scope: pulumi.Input<StageScope>;
    /** Tags applied to every taggable resource. @default {} */
    readonly tags?: Record<string, string>;
}

/** The exact `sub` claims GitHub puts in the tokens each role accepts. */
export function githubSubjects(args: Pick<GitHubCiRolesArgs, "repository" | "deployEnvironment" | "deployBranch">) {
    return {
        preview: `repo:${args.repository}:pull_request`,
        deploy: args.deployEnvironment
            ? `repo:${args.repository}:environment:${args.deployEnvironment}`
            : `repo:${args.repository}:ref:refs/heads/${args.deployBranch ?? "main"}`,
    };
}

/**
 * Keyless CI for one stage: GitHub Actions' OIDC provider (or the account's existing one),
 * a preview role for pull requests of one repository, and a deploy role for its main branch
 * (or its deploy environment), both pinned by audience and exact subject.
 */
export class GitHubCiRoles extends pulumi.ComponentResource {
    public readonly providerArn: pulumi.Output<string>;
    public readonly previewRole: aws.iam.Role;
    public readonly deployRole: aws.iam.Role;

    constructor(name: string, args: GitHubCiRolesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("federated-access:ci:GitHubCiRoles", name, {}, opts);
        if (!REPOSITORY.test(args.repository)) {
            throw new Error(`GitHubCiRoles '${name}': repository must be 'owner/name' with no wildcard, got '${args.repository}'`);
        }
        if (args.deployEnvironment !== undefined && !ENVIRONMENT.test(args.deployEnvironment)) {
            throw new Error(`GitHubCiRoles '${name}': deployEnvironment must be a GitHub environment name, got '${args.deployEnvironment}'`);
        }
        if (args.deployBranch !== undefined && (!BRANCH.test(args.deployBranch) || args.deployBranch.includes("*"))) {
            throw new Error(`GitHubCiRoles '${name}': deployBranch must be a branch name, got '${args.deployBranch}'`);
        }
        if (args.existingProviderArn !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/.test(args.existingProviderArn)) {
            throw new Error(`GitHubCiRoles '${name}': existingProviderArn must be the ARN of GitHub's OIDC provider, got '${args.existingProviderArn}'`);
        }
        checkRolePath(`GitHubCiRoles '${name}'`, args.rolePath);

        this.providerArn =
            args.existingProviderArn !== undefined
                ? pulumi.output(args.existingProviderArn)
                : new aws.iam.OpenIdConnectProvider(
                      `${name}-github`,
                      { url: `https://${GITHUB_OIDC_HOST}`, clientIdLists: [GITHUB_AUDIENCE], tags: args.tags },
                      // One per account: keep it when a stack goes, other stacks may rely on it.
                      { parent: this, retainOnDelete: true },
                  ).arn;

        const subjects = githubSubjects(args);
        const role = (kind: "preview" | "deploy", sub: string, rights: (scope: StageScope) => object) => {
            const created = new aws.iam.Role(
                `${name}-${kind}`,
                {
                    name: `${args.roleNamePrefix}-ci-${kind}`,
                    path: args.rolePath,
                    description: `GitHub Actions ${kind} role for ${sub}`,
                    assumeRolePolicy: this.providerArn.apply((arn) =>
                        JSON.stringify(webIdentityTrustPolicy(arn, GITHUB_OIDC_HOST, { aud: GITHUB_AUDIENCE, sub: [sub] })),
                    ),
                    maxSessionDuration: 3600,
                    tags: args.tags,
                },
                { parent: this },
            );
            new aws.iam.RolePolicy(
                `${name}-${kind}-rights`,
                { role: created.name, name: `pulumi-${kind}`, policy: pulumi.output(args.scope).apply((scope) => JSON.stringify(rights(scope))) },
                { parent: this },
            );
            return created;
        };
        this.previewRole = role("preview", subjects.preview, ciPreviewPolicy);
        this.deployRole = role("deploy", subjects.deploy, ciDeployPolicy);
        this.registerOutputs({ providerArn: this.providerArn, previewRoleArn: this.previewRole.arn, deployRoleArn: this.deployRole.arn });
    }
}
