// Loaded by mocha before any test. This machine runs Node 20 while the functions run on
// nodejs22.x; the AWS SDK's notice about Node 20 would repeat in every test run as noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
