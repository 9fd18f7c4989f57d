/**
 * What the people model assumes the account holds besides the program's own resources: roles and
 * running resources of services that run code as a role. The program creates none of them; a real
 * account often has them (a CI project, an instance profile, a notebook, a stack's service role),
 * and a person who may pass a role to such a service, or take over such a resource, becomes what
 * that role is. As the model already assumes an administrator role and an administrator user, it
 * assumes each service below is trusted by a privileged role of the account and runs one resource
 * as it: an over-approximation, so that a right the program grants is judged by the worst account
 * it may land in. Which calls launch code as a passed role follows the escalation paths of Bishop
 * Fox's iam-vulnerable (analysis/escalationCatalogue.ts); none was tried against AWS here.
 */
import { RoleModel } from "./world";

/** One way to make a service run code: every call of the list, each on its resource. */
export type Launch = readonly (readonly [action: string, resource: string])[];

/** A service a role may be passed to, and the calls that then run code as that role. */
export interface PassTarget {
    /** The service principal, as `iam:PassedToService` and the role's trust name it. */
    readonly principal: string;
    /** Alternatives: any one of them, all of its calls allowed, runs code as the passed role. */
    readonly launches: readonly Launch[];
}

/** A resource of the account that already runs as the service's privileged role. */
export interface HeldResource {
    readonly principal: string;
    readonly description: string;
    /** Alternatives, as for `PassTarget.launches`: each takes the resource over. */
    readonly takeovers: readonly Launch[];
}

const ALLOW_ALL = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

/**
 * Services that run code as a role passed to them, with the calls that launch it.
 */
export function passTargets(region: string, account: string): PassTarget[] {
    const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;
    return [
        // Lambda: the model's own steps decide how (a new function, or an existing function's
        // configuration and code: ReachModel.lambdaLaunch), since the program's functions count too.
        { principal: "lambda.amazonaws.com", launches: [] },
        // EC2: an instance with the role in its instance profile; its user data runs as the role (privesc3).
        { principal: "ec2.amazonaws.com", launches: [[["ec2:RunInstances", arn("ec2", "instance/*")]]] },
        // CloudFormation: a stack whose template creates anything, as the role (privesc20).
        { principal: "cloudformation.amazonaws.com", launches: [[["cloudformation:CreateStack", arn("cloudformation", "stack/escalation/*")]]] },
        // Glue: a development endpoint reached over SSH runs as the role (privesc18).
        { principal: "glue.amazonaws.com", launches: [[["glue:CreateDevEndpoint", "*"]]] },
        // CodeBuild: a project whose build commands run as the role (CodeBuild-CreateProjectPassRole).
        {
            principal: "codebuild.amazonaws.com",
            launches: [
                [["codebuild:CreateProject", arn("codebuild", "project/escalation")], ["codebuild:StartBuild", arn("codebuild", "project/escalation")]],
                [["codebuild:CreateProject", arn("codebuild", "project/escalation")], ["codebuild:StartBuildBatch", arn("codebuild", "project/escalation")]],
            ],
        },
        // SageMaker: a notebook opened by a presigned URL, a training job or a processing job (SageMaker-*PassRole).
        {
            principal: "sagemaker.amazonaws.com",
            launches: [
                [
                    ["sagemaker:CreateNotebookInstance", arn("sagemaker", "notebook-instance/escalation")],
                    ["sagemaker:CreatePresignedNotebookInstanceUrl", arn("sagemaker", "notebook-instance/escalation")],
                ],
                [["sagemaker:CreateTrainingJob", arn("sagemaker", "training-job/escalation")]],
                [["sagemaker:CreateProcessingJob", arn("sagemaker", "processing-job/escalation")]],
            ],
        },
        // Data Pipeline: a pipeline whose activity runs commands as the role (privesc21).
        {
            principal: "datapipeline.amazonaws.com",
            launches: [
                [
                    ["datapipeline:CreatePipeline", "*"],
                    ["datapipeline:PutPipelineDefinition", arn("datapipeline", "pipeline/df-escalation")],
                    ["datapipeline:ActivatePipeline", arn("datapipeline", "pipeline/df-escalation")],
                ],
            ],
        },
    ];
}

/** The role name the model gives the account's privileged role trusting a service. */
export const privilegedRoleName = (principal: string) => `Privileged-${principal.split(".")[0]}`;

/** The account's privileged role trusting each service of `passTargets` (assumed, see the file comment). */
export function privilegedServiceRoles(region: string, account: string): RoleModel[] {
    return passTargets(region, account).map((target) => ({
        stack: "",
        arn: `arn:aws:iam::${account}:role/${privilegedRoleName(target.principal)}`,
        name: privilegedRoleName(target.principal),
        trust: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: target.principal }, Action: "sts:AssumeRole" }] },
        policies: [ALLOW_ALL],
    }));
}

/** Resources of the account that run as a privileged role and can be taken over without passing one. */
export function heldResources(region: string, account: string): HeldResource[] {
    const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;
    const instance = arn("ec2", "instance/i-0123456789abcdef0");
    return [
        {
            principal: "lambda.amazonaws.com",
            description: "the account's function",
            // New code, or (unverified) a layer or an environment variable that runs code of the caller's choosing.
            takeovers: [[["lambda:UpdateFunctionCode", arn("lambda", "function:account-automation")]], [["lambda:UpdateFunctionConfiguration", arn("lambda", "function:account-automation")]]],
        },
        {
            principal: "ec2.amazonaws.com",
            description: "the account's instance",
            takeovers: [
                [["ssm:SendCommand", instance]],
                [["ssm:StartSession", instance]],
                [["ec2-instance-connect:SendSSHPublicKey", instance]],
                [["ec2-instance-connect:SendSerialConsoleSSHPublicKey", instance]],
            ],
        },
        { principal: "cloudformation.amazonaws.com", description: "the account's stack", takeovers: [[["cloudformation:UpdateStack", arn("cloudformation", "stack/account-stack/*")]]] },
        { principal: "glue.amazonaws.com", description: "the account's development endpoint", takeovers: [[["glue:UpdateDevEndpoint", arn("glue", "devEndpoint/account-endpoint")]]] },
        {
            principal: "sagemaker.amazonaws.com",
            description: "the account's notebook",
            takeovers: [[["sagemaker:CreatePresignedNotebookInstanceUrl", arn("sagemaker", "notebook-instance/account-notebook")]]],
        },
    ];
}
