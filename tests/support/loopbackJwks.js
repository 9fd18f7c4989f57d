// Preloaded (node --require) into a process that runs a serialized handler: sends the
// HTTPS requests for a Cognito user pool's JWKS to the loopback fake AWS instead.
"use strict";
const http = require("http");
const https = require("https");

const port = Number(process.env.FAKE_AWS_PORT);
if (!port) {
    throw new Error("FAKE_AWS_PORT is not set");
}
const original = https.request;
https.request = function request(uri, options, callback) {
    const url = typeof uri === "string" ? new URL(uri) : uri instanceof URL ? uri : null;
    if (url && /^cognito-idp\.[a-z0-9-]+\.amazonaws\.com$/.test(url.hostname)) {
        return http.request(`http://127.0.0.1:${port}${url.pathname}`, { ...options, agent: undefined }, callback);
    }
    return original.apply(this, arguments);
};
