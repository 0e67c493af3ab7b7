import fc from 'fast-check';

/**
 * Mutation runs only (jest.mutation.config.js): every property runs the same
 * generated histories each time, so whether a mutant is killed depends on the
 * code and the tests, not on the day's random seed. FAST_CHECK_SEED picks another.
 */
fc.configureGlobal({ seed: Number(process.env.FAST_CHECK_SEED ?? 20261129) });
