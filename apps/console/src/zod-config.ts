import { z } from 'zod';

// zod compiles object parsers with `new Function` when it may; the console's
// Content-Security-Policy forbids eval, and merely trying it is reported as a violation.
z.config({ jitless: true });
