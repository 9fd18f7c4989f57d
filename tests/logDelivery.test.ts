/**
 * No CI role may rewrite the account's CloudWatch Logs resource policies: the one delivering a
 * stage's API access logs is an administrator's, declared by the program, covering that stage's
 * access log group only. Decided by the IAM engine over every CI role of every stage.
 */
import * as assert from "assert";

import { ciRightsGaps, grantedActions } from "../analysis/ciRights";
import { decide } from "../analysis/engine";
import { STAGES } from "./harness";
import { ACCOUNT_ID, policiesOfRole, ProgramRun, stackRun } from "./harness";

const roleName = (arn: string) => arn.split("/").pop() as string;
const CI_ROLES = ["ciPreviewRoleArn", "ciDeployRoleArn", "ciSmokeRoleArn"];

describe("account-wide log resource policies", () => {
    for (const stage of STAGES) {
        describe(`stack ${stage}`, () => {
            let run: ProgramRun;
            before(async () => {
                run = await stackRun(stage);
            });

            it("no CI role may put or delete a CloudWatch Logs resource policy", async () => {
                for (const output of CI_ROLES.filter((o) => run.outputs[o] !== undefined)) {
                    const role = roleName(run.outputs[output]);
                    const policies = policiesOfRole(run, role);
                    for (const action of ["logs:PutResourcePolicy", "logs:DeleteResourcePolicy"]) {
                        const decision = await decide({
                            principal: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${role}/ci`,
                            action,
                            resource: "*",
                            resourceAccount: ACCOUNT_ID,
                            identityPolicies: policies,
                            context: { "aws:SecureTransport": "true", "aws:RequestedRegion": String(run.outputs.region) },
                        });
                        assert.notStrictEqual(decision, "Allowed", `${role} may ${action}`);
                    }
                    const written = grantedActions(policies).filter((a) => /^logs:(\*|Put\*|PutResource|DeleteResource|.*ResourcePolicy)/.test(a) && a !== "logs:DescribeResourcePolicies");
                    assert.deepStrictEqual(written, [], `${role} is granted ${written.join(", ")}`);
                }
            });

            it("the access logs' delivery policy is the administrator's and names the stage's access log group only", async () => {
                const delivery = run.ofType("aws:cloudwatch/logResourcePolicy:LogResourcePolicy");
                assert.strictEqual(delivery.length, 1);
                const group = run.one("aws:cloudwatch/logGroup:LogGroup", "api-access-logs").inputs.name;
                assert.strictEqual(delivery[0].inputs.policyName, `federated-access-${stage}-api-access-log-delivery`);
                const doc = JSON.parse(delivery[0].inputs.policyDocument);
                assert.deepStrictEqual(doc.Statement, [
                    {
                        Sid: "AWSLogDeliveryWrite",
                        Effect: "Allow",
                        Principal: { Service: "delivery.logs.amazonaws.com" },
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                        Resource: `arn:aws:logs:ap-northeast-1:${ACCOUNT_ID}:log-group:${group}:log-stream:*`,
                        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT_ID }, ArnLike: { "aws:SourceArn": `arn:aws:logs:ap-northeast-1:${ACCOUNT_ID}:*` } },
                    },
                ]);
                const stageResource = run.one("aws:apigatewayv2/stage:Stage");
                assert.ok(stageResource.options.dependsOn.some((urn) => urn.endsWith(`::${delivery[0].name}`)), "the stage waits for the delivery policy");
                const gaps = await ciRightsGaps({
                    stack: run,
                    account: ACCOUNT_ID,
                    deploy: { arn: run.outputs.ciDeployRoleArn, policies: policiesOfRole(run, roleName(run.outputs.ciDeployRoleArn)) },
                    preview: run.outputs.ciPreviewRoleArn ? { arn: run.outputs.ciPreviewRoleArn, policies: policiesOfRole(run, roleName(run.outputs.ciPreviewRoleArn)) } : undefined,
                    deletes: stage !== "prod",
                    boundaryArn: run.outputs.permissionsBoundaryArn,
                });
                assert.deepStrictEqual(gaps.missing, [], "CI still reads it on a refresh and deploys everything else");
                assert.ok(gaps.administered.some((a) => a.startsWith("aws:cloudwatch/logResourcePolicy:LogResourcePolicy")), gaps.administered.join("\n"));
                assert.deepStrictEqual(gaps.administeredWritable, []);
            });
        });
    }
});
