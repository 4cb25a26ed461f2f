/**
 * The two small HTML pages of one-click unsubscribe. Pure: data in, HTML out, every value escaped.
 * No script and no inline style (the console's Content-Security-Policy applies): the GET page is a
 * plain `<form method="post">`, so a mail scanner following the link unsubscribes nobody.
 */
export interface PageTarget {
  /** The column's label ("Scan added"). */
  readonly label: string;
  readonly channel: string;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return (
    `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="robots" content="noindex">\n` +
    `<title>${escapeHtml(title)} · Herald</title>\n</head>\n<body>\n<main>\n<h1>${escapeHtml(title)}</h1>\n${body}</main>\n</body>\n</html>\n`
  );
}

/** The confirmation page: one button POSTing `List-Unsubscribe=One-Click` to the page's own URL. */
export function confirmPage(target: PageTarget, settingsUrl: string): string {
  return page(
    'Unsubscribe',
    `<p>Stop receiving <strong>${escapeHtml(target.label)}</strong> notifications by <strong>${escapeHtml(target.channel)}</strong>?</p>\n` +
      `<form method="post">\n` +
      `<input type="hidden" name="List-Unsubscribe" value="One-Click">\n` +
      `<button type="submit">Unsubscribe</button>\n</form>\n` +
      `<p>Other notifications are not affected. <a href="${escapeHtml(settingsUrl)}">Change all your notification settings</a>.</p>\n`,
  );
}

/** The answer to the POST. */
export function donePage(target: PageTarget, changed: boolean, settingsUrl: string): string {
  const what = `<strong>${escapeHtml(target.label)}</strong> notifications by <strong>${escapeHtml(target.channel)}</strong>`;
  return page(
    'Unsubscribed',
    `<p>${changed ? `You will no longer receive ${what}.` : `You were already unsubscribed from ${what}.`}</p>\n` +
      `<p><a href="${escapeHtml(settingsUrl)}">Change your notification settings</a> to turn them on again.</p>\n`,
  );
}
