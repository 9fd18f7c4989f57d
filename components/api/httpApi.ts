import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { HandlerFunction } from "./handlerFunction";
import { invokePolicy, logDeliveryPolicy } from "../policies/workload";
import { checkLogRetention } from "../config/logRetention";

/** The only authorization this API accepts on a route. */
export type RouteAuthorization = "AWS_IAM";

export interface RouteArgs {
    /** e.g. `GET /read-file`, `GET /users/{id}` */
    readonly routeKey: string;
    /** The function that serves the route, through a Lambda proxy integration (payload 2.0). */
    readonly handler: HandlerFunction;
    /** Must be `AWS_IAM`; anything else is refused. @default "AWS_IAM" */
    readonly authorization?: RouteAuthorization;
}

/** A route of an HttpApi, as `addRoute` returns it. */
export interface HttpRoute {
    readonly api: HttpApi;
    readonly routeKey: string;
    readonly route: aws.apigatewayv2.Route;
}

export interface HttpApiArgs {
    /** Retention of the access log group, in days. @default 30 */
    readonly logRetentionDays?: number;
    /** Name of the access log group, so policies can name it. @default auto-named */
    readonly accessLogGroupName?: string;
    /**
     * Name of the account's CloudWatch Logs resource policy letting log delivery write the access
     * log group (an account holds up to 10 such policies per region, each named uniquely).
     * @default `<component name>-access-log-delivery`
     */
    readonly logDeliveryPolicyName?: string;
    /** Steady-state requests per second allowed on every route. @default 50 */
    readonly throttleRateLimit?: number;
    /** Burst of requests allowed on every route. @default 100 */
    readonly throttleBurstLimit?: number;
    /** Tags applied to every taggable resource. @default {} */
    readonly tags?: Record<string, string>;
}

const ROUTE_KEY = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\/[A-Za-z0-9._~{}+-]*)+$/;

/**
 * Access log line: who called (account, principal ARN, caller id), what, and how it ended.
 * API Gateway fills `$context.identity.*` for IAM-authorized requests.
 */
export const ACCESS_LOG_FORMAT = JSON.stringify({
    requestId: "$context.requestId",
    requestTime: "$context.requestTime",
    routeKey: "$context.routeKey",
    status: "$context.status",
    responseLength: "$context.responseLength",
    latencyMs: "$context.responseLatency",
    integrationError: "$context.integrationErrorMessage",
    sourceIp: "$context.identity.sourceIp",
    userAgent: "$context.identity.userAgent",
    callerAccountId: "$context.identity.accountId",
    callerArn: "$context.identity.userArn",
    callerId: "$context.identity.caller",
    principalOrgId: "$context.identity.principalOrgId",
    cognitoIdentityId: "$context.identity.cognitoIdentityId",
});

/**
 * An API Gateway HTTP API on which every route requires SigV4-signed requests (`AWS_IAM`),
 * with Lambda proxy integrations (payload 2.0), a `$default` stage with JSON access logs
 * and default throttling, and grant helpers that hand out `execute-api:Invoke`.
 */
export class HttpApi extends pulumi.ComponentResource {
    public readonly api: aws.apigatewayv2.Api;
    public readonly stage: aws.apigatewayv2.Stage;
    public readonly accessLogs: aws.cloudwatch.LogGroup;
    /**
     * Lets log delivery write the access logs. Created by the administrator's deploy, never by
     * CI: `logs:PutResourcePolicy` names no resource, so a pipeline holding it could rewrite every
     * log delivery policy of the account, those of the other stages' access logs included.
     */
    public readonly logDelivery: aws.cloudwatch.LogResourcePolicy;
    public readonly endpoint: pulumi.Output<string>;
    public readonly executionArn: pulumi.Output<string>;
    private readonly name: string;
    private readonly routes = new Map<string, { authorization: string; route: aws.apigatewayv2.Route }>();
    /** The grantee name of each role `grantInvoke` has granted, so a role gets one grant per API. */
    private readonly grants = new Map<aws.iam.Role, string>();
    /** The same for `grantInvokeAll`, whose inline policy has a name of its own. */
    private readonly allGrants = new Map<aws.iam.Role, string>();

    constructor(name: string, args: HttpApiArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("federated-access:api:HttpApi", name, {}, opts);
        this.name = name;
        const retention = checkLogRetention(`HttpApi '${name}'`, args.logRetentionDays);
        const rate = args.throttleRateLimit ?? 50;
        const burst = args.throttleBurstLimit ?? 100;
        if (!(rate > 0) || !Number.isInteger(burst) || burst < 1) {
            throw new Error(`HttpApi '${name}': throttleRateLimit and throttleBurstLimit must be positive, got '${rate}' and '${burst}'`);
        }

        this.api = new aws.apigatewayv2.Api(
            `${name}-api`,
            { protocolType: "HTTP", description: "IAM-authorized HTTP API", tags: args.tags },
            { parent: this },
        );
        this.accessLogs = new aws.cloudwatch.LogGroup(
            `${name}-access-logs`,
            { name: args.accessLogGroupName, retentionInDays: retention, tags: args.tags },
            { parent: this },
        );
        const identity = aws.getCallerIdentityOutput({}, { parent: this });
        const region = aws.getRegionOutput({}, { parent: this });
        // The policy CloudWatch Logs itself creates when the caller may (AWSLogDeliveryWrite, in
        // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-CWL.html),
        // narrowed to this log group. With it in place, whether API Gateway still asks for the
        // caller's logs:PutResourcePolicy was not verified against AWS.
        this.logDelivery = new aws.cloudwatch.LogResourcePolicy(
            `${name}-log-delivery`,
            {
                policyName: args.logDeliveryPolicyName ?? `${name}-access-log-delivery`,
                policyDocument: pulumi
                    .all([identity.accountId, region.region, this.accessLogs.name])
                    .apply(([account, regionName, group]) => JSON.stringify(logDeliveryPolicy(account, regionName, group))),
            },
            { parent: this },
        );
        this.stage = new aws.apigatewayv2.Stage(
            `${name}-stage`,
            {
                apiId: this.api.id,
                name: "$default",
                autoDeploy: true,
                accessLogSettings: { destinationArn: this.accessLogs.arn, format: ACCESS_LOG_FORMAT },
                defaultRouteSettings: { throttlingRateLimit: rate, throttlingBurstLimit: burst, detailedMetricsEnabled: true },
                tags: args.tags,
            },
            { parent: this, dependsOn: [this.logDelivery] },
        );
        this.endpoint = this.api.apiEndpoint;
        this.executionArn = this.api.executionArn;
        this.registerOutputs({ endpoint: this.endpoint, apiId: this.api.id, executionArn: this.executionArn });
    }

    /**
     * Adds an IAM-authorized route served by a Lambda proxy integration (payload 2.0). The route
     * returned is what `grantInvoke` takes: a grant names routes this API has, never a string that
     * might not be one.
     */
    public addRoute(args: RouteArgs): HttpRoute {
        const authorization = args.authorization ?? "AWS_IAM";
        if (authorization !== "AWS_IAM") {
            throw new Error(`HttpApi '${this.name}': route '${args.routeKey}' must use AWS_IAM authorization, got '${authorization}'`);
        }
        if (!ROUTE_KEY.test(args.routeKey)) {
            throw new Error(`HttpApi '${this.name}': routeKey must look like 'GET /path', got '${args.routeKey}'`);
        }
        if (this.routes.has(args.routeKey)) {
            throw new Error(`HttpApi '${this.name}': route '${args.routeKey}' is already defined`);
        }
        const slug = args.routeKey.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
        const integration = new aws.apigatewayv2.Integration(
            `${this.name}-${slug}-integration`,
            {
                apiId: this.api.id,
                integrationType: "AWS_PROXY",
                integrationUri: args.handler.arn,
                integrationMethod: "POST",
                payloadFormatVersion: "2.0",
                timeoutMilliseconds: 29000,
            },
            { parent: this },
        );
        const route = new aws.apigatewayv2.Route(
            `${this.name}-${slug}-route`,
            {
                apiId: this.api.id,
                routeKey: args.routeKey,
                authorizationType: authorization,
                target: pulumi.interpolate`integrations/${integration.id}`,
            },
            { parent: this },
        );
        new aws.lambda.Permission(
            `${this.name}-${slug}-permission`,
            {
                action: "lambda:InvokeFunction",
                function: args.handler.functionName,
                principal: "apigateway.amazonaws.com",
                // This route of this API only: another API, or another route, cannot invoke it.
                sourceArn: this.routeArn(args.routeKey, { checkRoute: false }),
            },
            { parent: this },
        );
        this.routes.set(args.routeKey, { authorization, route });
        return { api: this, routeKey: args.routeKey, route };
    }

    /** Route keys of this API, in the order they were added. */
    public routeKeys(): string[] {
        return [...this.routes.keys()];
    }

    /**
     * execute-api ARN of one route, any stage: `GET /users/{id}` → `<executionArn>/*\/GET/users/*`.
     */
    public routeArn(routeKey: string, options: { checkRoute?: boolean } = {}): pulumi.Output<string> {
        if (options.checkRoute !== false) {
            this.requireIamRoute(routeKey);
        }
        const [method, path] = routeKey.split(" ");
        const arnPath = path.replace(/\{[^}]+\}/g, "*").replace(/^\//, "");
        return pulumi.interpolate`${this.executionArn}/*/${method}/${arnPath}`;
    }

    /** execute-api ARN covering every route and stage of this API. */
    public allRoutesArn(): pulumi.Output<string> {
        return pulumi.interpolate`${this.executionArn}/*`;
    }

    /**
     * Lets `role` invoke the given routes of this API (and nothing else of it): routes `addRoute`
     * returned. The Pulumi resource is named `<api>-grant-<grantee>`; the role's inline policy
     * `invoke-<api>`. One grant per role: a second would write the same inline policy, and the two
     * would replace each other in AWS, so it is refused; name every route the role may invoke in one call.
     */
    public grantInvoke(grantee: string, role: aws.iam.Role, routes: readonly HttpRoute[]): aws.iam.RolePolicy {
        if (routes.length === 0) {
            throw new Error(`HttpApi '${this.name}': grantInvoke '${grantee}' needs at least one route`);
        }
        const routeKeys = routes.map((r: HttpRoute | string) => {
            if (typeof r !== "object" || r === null) {
                throw new Error(`HttpApi '${this.name}': grantInvoke '${grantee}' takes the routes addRoute returned, got '${String(r)}'`);
            }
            if (r.api !== this) throw new Error(`HttpApi '${this.name}': grantInvoke '${grantee}' was given route '${r.routeKey}' of another API`);
            return r.routeKey;
        });
        const earlier = this.grants.get(role);
        if (earlier !== undefined) {
            throw new Error(
                `HttpApi '${this.name}': grantInvoke '${grantee}' names a role that grant '${earlier}' already covers; ` +
                    `both would write its inline policy 'invoke-${this.name}': name every route it may invoke in one grant`,
            );
        }
        const arns = routeKeys.map((key) => this.routeArn(key));
        this.grants.set(role, grantee);
        return new aws.iam.RolePolicy(
            `${this.name}-grant-${grantee}`,
            { role: role.name, name: `invoke-${this.name}`, policy: pulumi.all(arns).apply((resolved) => JSON.stringify(invokePolicy(resolved))) },
            { parent: this },
        );
    }

    /** Lets `role` invoke every route of this API; refused unless every route is IAM-authorized. */
    public grantInvokeAll(grantee: string, role: aws.iam.Role): aws.iam.RolePolicy {
        for (const key of this.routes.keys()) {
            this.requireIamRoute(key);
        }
        const earlier = this.allGrants.get(role);
        if (earlier !== undefined) {
            throw new Error(`HttpApi '${this.name}': grantInvokeAll '${grantee}' names a role that grant '${earlier}' already covers (inline policy 'invoke-${this.name}-all')`);
        }
        this.allGrants.set(role, grantee);
        return new aws.iam.RolePolicy(
            `${this.name}-grant-${grantee}`,
            { role: role.name, name: `invoke-${this.name}-all`, policy: this.allRoutesArn().apply((arn) => JSON.stringify(invokePolicy([arn]))) },
            { parent: this },
        );
    }

    private requireIamRoute(routeKey: string): void {
        const route = this.routes.get(routeKey);
        if (!route) {
            throw new Error(`HttpApi '${this.name}': no route '${routeKey}' (routes: ${this.routeKeys().join(", ") || "none"})`);
        }
        if (route.authorization !== "AWS_IAM") {
            throw new Error(`HttpApi '${this.name}': route '${routeKey}' is not IAM-authorized; invoke rights would not protect it`);
        }
    }
}
