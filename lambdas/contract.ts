/**
 * What the program that builds the HTTP API, the handlers that serve it and the code that calls
 * or checks it (smoke checks, the access analysis) must agree on: route keys, the header the
 * read-file route takes the IdToken in, and the name of each user's file in their folder.
 */

/** Route keys of the HTTP API, as API Gateway writes them: `<METHOD> <path>`. */
export const ROUTES = {
    /** A user's own file, through the identity pool's credentials for their IdToken. */
    readFile: "GET /read-file",
    /** The caller's IAM identity, as API Gateway authenticated it. */
    whoami: "GET /whoami",
    /** Served to sessions of the admin identity role only. */
    admin: "GET /admin",
} as const;

/** The path of a route key: `GET /read-file` → `/read-file`. */
export const routePath = (routeKey: string): string => routeKey.slice(routeKey.indexOf(" ") + 1);

/** The request header `GET /read-file` reads the caller's Cognito IdToken from (matched in any case). */
export const ID_TOKEN_HEADER = "idToken";

/** The file of each user's folder that `GET /read-file` reads and the smoke checks write. */
export const USER_FILE_NAME = "data.txt";
