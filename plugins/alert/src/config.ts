/**
 * The alert channel's settings (SPEC §2.5): none. `alert` is always enabled; the gateway refuses
 * any field in `PUT /channels/alert/config`. Unknown keys arriving through the config bucket are
 * stripped, not refused, so a newer gateway cannot stop an older plugin.
 */
import { z } from 'zod';

export const alertConfigSchema = z.object({});

export type AlertConfig = z.infer<typeof alertConfigSchema>;
