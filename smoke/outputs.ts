/** The stack outputs the smoke checks read (`pulumi stack output --json`). */
export interface StackOutputs {
    readonly stage: string;
    readonly region: string;
    readonly userPoolId: string;
    readonly userPoolClientId: string;
    readonly userPoolProviderName: string;
    readonly identityPoolId: string;
    readonly userFilesBucket: string;
    readonly userFilesPrefix: string;
    readonly apiEndpoint: string;
    readonly stageAccessRoleArn: string;
    readonly oidcRoleArn: string;
    /** The smoke-users broker, the smoke checks' only way into the user pool. */
    readonly smokeUsersFunctionName: string;
    /** Whether the stage role demands an ExternalId of its caller. @default false */
    readonly callerExternalIdRequired?: boolean;
}

export const REQUIRED_OUTPUTS: readonly (keyof StackOutputs)[] = [
    "stage",
    "region",
    "userPoolId",
    "userPoolClientId",
    "userPoolProviderName",
    "identityPoolId",
    "userFilesBucket",
    "userFilesPrefix",
    "apiEndpoint",
    "stageAccessRoleArn",
    "oidcRoleArn",
    "smokeUsersFunctionName",
];

/** Validates parsed stack outputs, naming every missing one. */
export function parseOutputs(raw: unknown): StackOutputs {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        throw new Error("stack outputs must be a JSON object (as `pulumi stack output --json` prints)");
    }
    const value = raw as Record<string, unknown>;
    const missing = REQUIRED_OUTPUTS.filter((key) => typeof value[key] !== "string" || value[key] === "");
    if (missing.length > 0) {
        const older = "oidcReaderRoleArn" in value ? " (it has oidcReaderRoleArn: deployed by an older version of the program; deploy this one first)" : "";
        throw new Error(`stack outputs lack ${missing.join(", ")}${older}: is this stack deployed with this version of the program?`);
    }
    if (value.callerExternalIdRequired !== undefined && typeof value.callerExternalIdRequired !== "boolean") {
        throw new Error(`stack output callerExternalIdRequired must be true or false, got ${JSON.stringify(value.callerExternalIdRequired)}`);
    }
    return value as unknown as StackOutputs;
}

/** Name of a role from its ARN (the path dropped), as it appears in its sessions' ARNs. */
export const roleNameOf = (roleArn: string): string => roleArn.split("/").pop() ?? roleArn;
