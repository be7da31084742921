/**
 * grpc-js-xds (1.14) registers its server RBAC filter (gRFC A41) only when this variable is
 * "true" when the package loads. Imported first by the RBAC tests, before anything that loads
 * grpc-js-xds (ES modules evaluate their imports in order; each test file runs in its own process).
 */
process.env.GRPC_XDS_EXPERIMENTAL_RBAC = 'true';
