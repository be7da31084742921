/**
 * The key set inlined when a jwksUri's keys are not available (not fetched yet, failed, refused):
 * one RSA public key whose private half was discarded when it was generated for this project, so
 * no token can ever verify against it. A token presented for that issuer is then rejected (as a
 * missing key set would not be: Envoy would fail the whole config), while requests without a
 * token still pass, which is what Istio does with its fixed fake key set. Constant, so a proxy's
 * config does not churn while the fetch keeps failing.
 */
export const UNVERIFIABLE_JWKS = JSON.stringify({
  keys: [{
    kty: 'RSA',
    alg: 'RS256',
    use: 'sig',
    kid: 'istiod-ts-unverifiable',
    n: 'wFWnpyQBUFWbKOY6_EKYWjLnrXWha3z0_lQCqN7iTok16PymtuFLO38x86gepNdPUG_E-qwOwn3QMB-wo9PmfId8vvvBhzgaqRT5Oy1aFnbywT6APtz705wE2YZPcKg5Xa8gSeGlLL4NqytO0TZrBDt8v5RwpyGpJEJPryLYEonJEqeKjy8A8R2-_bOGTRN5FlSFm_GZVvyrgqRfRuqtDEgdzIPHmtIqtDws6uxkp04VraphSz5sYfJp6sOMMmiQwyid43yPg_DRpmpBZsoEYRLG_ymRu6kSQCYPmf61b5e7tChGmVop81hljs7UfoFjfVeSVfU0z6yfn_BfCQzq4Q',
    e: 'AQAB',
  }],
});
