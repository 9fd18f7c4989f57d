/**
 * The public catalogue of AWS privilege-escalation paths the people model is held to: the 31 paths
 * of Bishop Fox's iam-vulnerable (Rhino Security Labs' 21 methods among them), each with the
 * policy iam-vulnerable attaches to the path's starting principal, copied from its Terraform at a
 * pinned commit. tests/escalations.test.ts grants each path's policy to the pull-request author's
 * preview role in a copy of the synthesized world and checks that the model reports the account's
 * administration, with a step of that path in the chain.
 *
 * The playground's targets (an IAM user, a group, a function, an instance… running as an
 * administrator) are the model's assumed account resources (analysis/services.ts and the
 * account identity steps of analysis/reach.ts), except STS-AssumeRole, whose chain of roles the
 * test adds as `extraRoles`.
 */

/** The commit of https://github.com/BishopFox/iam-vulnerable the paths were read at. */
export const IAM_VULNERABLE_COMMIT = "0f298666f9b7cfa01488b86912afdb211773188a";

const source = (file: string) => `https://github.com/BishopFox/iam-vulnerable/blob/${IAM_VULNERABLE_COMMIT}/modules/free-resources/privesc-paths/${file}`;

export interface EscalationPath {
    /** The path's name in iam-vulnerable's README table "Supported Privilege Escalation Paths". */
    readonly name: string;
    readonly category: "IAM Permissions on Other Users" | "PassRole to Service" | "Permissions on Policies" | "Privilege Escalation using AWS Services" | "Updating an AssumeRole Policy";
    /** The Terraform file that builds the path. */
    readonly source: string;
    /** The starting principal's policy statements, as the Terraform writes them (all on `Resource: "*"`). */
    readonly actions: readonly (readonly string[])[];
    /**
     * For STS-AssumeRole: the roles the path adds, each trusting the one before it (the first
     * trusts the starting principal), the last allowed everything.
     */
    readonly extraRoles?: readonly string[];
    /** Each reported chain must name one of these (the path's decisive step). */
    readonly evidence: RegExp;
}

const path = (name: string, category: EscalationPath["category"], file: string, actions: string[][], evidence: RegExp, extraRoles?: string[]): EscalationPath => ({
    name,
    category,
    source: source(file),
    actions,
    evidence,
    ...(extraRoles ? { extraRoles } : {}),
});

export const IAM_VULNERABLE_PATHS: readonly EscalationPath[] = [
    // Category: IAM Permissions on Other Users
    path("IAM-CreateAccessKey", "IAM Permissions on Other Users", "privesc4-CreateAccessKey.tf", [["iam:CreateAccessKey"]], /iam:CreateAccessKey/),
    path("IAM-CreateLoginProfile", "IAM Permissions on Other Users", "privesc5-CreateLoginProfile.tf", [["iam:CreateLoginProfile"]], /iam:CreateLoginProfile/),
    path("IAM-UpdateLoginProfile", "IAM Permissions on Other Users", "privesc6-UpdateLoginProfile.tf", [["iam:UpdateLoginProfile"]], /iam:UpdateLoginProfile/),
    // Category: PassRole to Service
    path(
        "CloudFormation-PassExistingRoleToCloudFormation",
        "PassRole to Service",
        "privesc20-PassExistingRoleToCloudFormation.tf",
        [["iam:PassRole", "cloudformation:CreateStack", "cloudformation:DescribeStacks"]],
        /iam:PassRole .* to cloudformation\.amazonaws\.com \+ cloudformation:CreateStack/,
    ),
    path(
        "CodeBuild-CreateProjectPassRole",
        "PassRole to Service",
        "privesc-codeBuildCreateProjectPassRole.tf",
        [["codebuild:CreateProject", "codebuild:StartBuild", "codebuild:StartBuildBatch", "iam:PassRole", "iam:ListRoles"]],
        /iam:PassRole .* to codebuild\.amazonaws\.com \+ codebuild:CreateProject/,
    ),
    path(
        "DataPipeline-PassExistingRoleToNewDataPipeline",
        "PassRole to Service",
        "privesc21-PassExistingRoleToNewDataPipeline.tf",
        [["iam:PassRole"], ["datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition", "datapipeline:ActivatePipeline"]],
        /iam:PassRole .* to datapipeline\.amazonaws\.com \+ datapipeline:CreatePipeline/,
    ),
    path(
        "EC2-CreateInstanceWithExistingProfile",
        "PassRole to Service",
        "privesc3-CreateEC2WithExistingIP.tf",
        [["iam:PassRole", "ec2:DescribeInstances", "ec2:RunInstances", "ec2:CreateKeyPair", "ec2:AssociateIamInstanceProfile"]],
        /iam:PassRole .* to ec2\.amazonaws\.com \+ ec2:RunInstances/,
    ),
    path(
        "Glue-PassExistingRoleToNewGlueDevEndpoint",
        "PassRole to Service",
        "privesc18-PassExistingRoleToNewGlueDevEndpoint.tf",
        [["glue:CreateDevEndpoint", "glue:GetDevEndpoint", "iam:PassRole"]],
        /iam:PassRole .* to glue\.amazonaws\.com \+ glue:CreateDevEndpoint/,
    ),
    path(
        "Lambda-PassExistingRoleToNewLambdaThenInvoke",
        "PassRole to Service",
        "privesc15-PassExistingRoleToNewLambdaThenInvoke.tf",
        [["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]],
        /iam:PassRole .* to lambda\.amazonaws\.com \+ lambda:CreateFunction/,
    ),
    path(
        "Lambda-PassRoleToNewLambdaThenTrigger",
        "PassRole to Service",
        "privesc16-PassRoleToNewLambdaThenTriggerWithNewDynamo.tf",
        [["lambda:CreateFunction", "iam:PassRole", "lambda:CreateEventSourceMapping"]],
        /iam:PassRole .* to lambda\.amazonaws\.com \+ lambda:CreateFunction/,
    ),
    path(
        "SageMaker-CreateNotebookPassRole",
        "PassRole to Service",
        "privesc-sageMakerCreateNotebookPassRole.tf",
        [
            [
                "sagemaker:CreateNotebookInstance",
                "sagemaker:CreatePresignedNotebookInstanceUrl",
                "sagemaker:ListNotebookInstances",
                "sagemaker:DescribeNotebookInstance",
                "sagemaker:StopNotebookInstance",
                "sagemaker:DeleteNotebookInstance",
                "iam:PassRole",
                "iam:ListRoles",
            ],
        ],
        /iam:PassRole .* to sagemaker\.amazonaws\.com \+ sagemaker:CreateNotebookInstance/,
    ),
    path(
        "SageMaker-CreateTrainingJobPassRole",
        "PassRole to Service",
        "privesc-sageMakerCreateTrainingJob.tf",
        [["sagemaker:CreateTrainingJob", "iam:PassRole"]],
        /iam:PassRole .* to sagemaker\.amazonaws\.com \+ sagemaker:CreateTrainingJob/,
    ),
    path(
        "SageMaker-CreateProcessingJobPassRole",
        "PassRole to Service",
        "privesc-sageMakerCreateProcessingJob.tf",
        [["sagemaker:CreateProcessingJob", "iam:PassRole"]],
        /iam:PassRole .* to sagemaker\.amazonaws\.com \+ sagemaker:CreateProcessingJob/,
    ),
    // Category: Permissions on Policies
    path("IAM-AddUserToGroup", "Permissions on Policies", "privesc13-AddUserToGroup.tf", [["iam:AddUserToGroup"]], /iam:AddUserToGroup/),
    path("IAM-AttachGroupPolicy", "Permissions on Policies", "privesc8-AttachGroupPolicy.tf", [["iam:AttachGroupPolicy"]], /iam:AttachGroupPolicy/),
    path("IAM-AttachRolePolicy", "Permissions on Policies", "privesc9-AttachRolePolicy.tf", [["iam:AttachRolePolicy"]], /iam:AttachRolePolicy/),
    path("IAM-AttachUserPolicy", "Permissions on Policies", "privesc7-AttachUserPolicy.tf", [["iam:AttachUserPolicy"]], /iam:AttachUserPolicy/),
    path("IAM-CreateNewPolicyVersion", "Permissions on Policies", "privesc1-CreateNewPolicyVersion.tf", [["iam:CreatePolicyVersion"]], /iam:CreatePolicyVersion/),
    path("IAM-PutGroupPolicy", "Permissions on Policies", "privesc11-PutGroupPolicy.tf", [["iam:PutGroupPolicy"]], /iam:PutGroupPolicy/),
    path("IAM-PutRolePolicy", "Permissions on Policies", "privesc12-PutRolePolicy.tf", [["iam:PutRolePolicy"]], /iam:PutRolePolicy/),
    path("IAM-PutUserPolicy", "Permissions on Policies", "privesc10-PutUserPolicy.tf", [["iam:PutUserPolicy"]], /iam:PutUserPolicy/),
    path("IAM-SetExistingDefaultPolicyVersion", "Permissions on Policies", "privesc2-SetExistingDefaultPolicyVersion.tf", [["iam:SetDefaultPolicyVersion"]], /iam:SetDefaultPolicyVersion/),
    // Category: Privilege Escalation using AWS Services
    path(
        "EC2InstanceConnect-SendSSHPublicKey",
        "Privilege Escalation using AWS Services",
        "privesc-ec2InstanceConnect.tf",
        [["ec2:DescribeInstances", "ec2-instance-connect:SendSSHPublicKey", "ec2-instance-connect:SendSerialConsoleSSHPublicKey"]],
        /ec2-instance-connect:SendS/,
    ),
    path("CloudFormation-UpdateStack", "Privilege Escalation using AWS Services", "privesc-cloudFormationUpdateStack.tf", [["cloudformation:UpdateStack", "cloudformation:DescribeStacks"]], /cloudformation:UpdateStack/),
    path("Glue-UpdateExistingGlueDevEndpoint", "Privilege Escalation using AWS Services", "privesc19-UpdateExistingGlueDevEndpoint.tf", [["glue:UpdateDevEndpoint", "glue:GetDevEndpoint"]], /glue:UpdateDevEndpoint/),
    path(
        "Lambda-EditExistingLambdaFunctionWithRole",
        "Privilege Escalation using AWS Services",
        "privesc17-EditExistingLambdaFunctionWithRole.tf",
        [["lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration"]],
        /lambda:UpdateFunction(Code|Configuration)/,
    ),
    path(
        "SageMakerCreatePresignedNotebookURL",
        "Privilege Escalation using AWS Services",
        "privesc-sageMakerCreatePresignedNotebookURL.tf",
        [["sagemaker:CreatePresignedNotebookInstanceUrl", "sagemaker:ListNotebookInstances"]],
        /sagemaker:CreatePresignedNotebookInstanceUrl/,
    ),
    path("SSM-SendCommand", "Privilege Escalation using AWS Services", "privesc-ssmSendCommand.tf", [["ec2:DescribeInstances", "ssm:listCommands", "ssm:listCommandInvocations", "ssm:sendCommand"]], /ssm:SendCommand/),
    path(
        "SSM-StartSession",
        "Privilege Escalation using AWS Services",
        "privesc-ssmStartSession.tf",
        [["ec2:DescribeInstances", "ssm:StartSession", "ssm:DescribeSessions", "ssm:GetConnectionStatus", "ssm:DescribeInstanceProperties", "ssm:TerminateSession", "ssm:ResumeSession"]],
        /ssm:StartSession/,
    ),
    // The starting role holds no policy: the intermediate role's trust names it, the ending role's the intermediate.
    path("STS-AssumeRole", "Privilege Escalation using AWS Services", "privesc-AssumeRole.tf", [], /sts:AssumeRole → privesc-AssumeRole-ending-role/, [
        "privesc-AssumeRole-intermediate-role",
        "privesc-AssumeRole-ending-role",
    ]),
    // Category: Updating an AssumeRole Policy
    path("IAM-UpdatingAssumeRolePolicy", "Updating an AssumeRole Policy", "privesc14-UpdatingAssumeRolePolicy.tf", [["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"]], /iam:UpdateAssumeRolePolicy|sts:AssumeRole/),
];
