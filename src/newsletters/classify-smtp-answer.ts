/**
 * What an SMTP refusal means for the recipient. The basic code (RFC 5321
 * §4.2.1) says whether to retry; the enhanced code (RFC 3463) says whom the
 * server blames. Only a mailbox that does not exist or is disabled is a hard
 * bounce worth suppressing: 5.7.x policy and authentication refusals blame
 * the sender or its content, and suppressing on them would silence
 * subscribers whenever our own setup is wrong.
 */
export interface SmtpVerdict {
  /** retry later (4xx) */
  transient: boolean;
  /** add the address to the suppression list (hard bounce) */
  suppress: boolean;
  enhanced: string | undefined;
}

export function enhancedCode(response: string): string | undefined {
  return (
    /^\s*[245]\d\d[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(response)?.[1] ??
    /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(response)?.[1]
  );
}

export function classifySmtpAnswer(code: number | undefined, response: string): SmtpVerdict {
  const enhanced = enhancedCode(response);
  if (code !== undefined && code >= 400 && code < 500)
    return { transient: true, suppress: false, enhanced };
  // 5.1.x: bad destination mailbox address (5.1.1 unknown user, 5.1.10 null MX); 5.2.1: mailbox disabled.
  const blamesMailbox =
    enhanced !== undefined && (/^5\.1\.\d+$/.test(enhanced) || enhanced === "5.2.1");
  return { transient: false, suppress: blamesMailbox, enhanced };
}
