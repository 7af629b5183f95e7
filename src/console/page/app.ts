/**
 * The Console in the browser: it shows what the API (/api/v3/) answers and sends what the person
 * asks for; every rule is the core's, behind the API.
 */
const csrfToken = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')!.content;

async function api(method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`/api/v3${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const value = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new Error(value?.message ?? `${response.status}`);
  return value;
}

function element(tag: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
}

async function organizations(root: HTMLElement): Promise<void> {
  const list = (await api('GET', '/organizations?field_mask=name')) as Array<any>;
  const heading = element('h1', 'Organizations');
  const items = element('ul');
  for (const org of list)
    items.append(element('li', org.name ? `${org.name} (${org.ids.organization_id})` : org.ids.organization_id));
  root.replaceChildren(heading, items);
}

const root = document.getElementById('app')!;
organizations(root).catch((error: Error) => root.replaceChildren(element('p', error.message)));
