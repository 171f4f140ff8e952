import type { FastifyHelmetOptions } from '@fastify/helmet';

/** Pages load nothing from elsewhere and run no inline code; only /_static/ files may style or script them. */
export const helmetOptions: FastifyHelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      objectSrc: ["'none'"],
    },
  },
  frameguard: { action: 'deny' },
  // TLS usually ends at a reverse proxy, which owns the HSTS policy for the whole host.
  strictTransportSecurity: false,
};
