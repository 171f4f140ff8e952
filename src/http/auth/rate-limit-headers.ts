/** The rate-limit headers of the IETF draft (RateLimit header fields for HTTP), sent on a rate-limited token's answers. */
export const rateLimitHeaders = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'] as const;
