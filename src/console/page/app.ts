/**
 * The Console in the browser: it shows what the API (/api/v3/) answers and sends what the person
 * asks for; every rule is the core's, behind the API (the page never decides who may do what).
 *
 * This module wires the pages and starts. The rest, one module a concern: dom.ts (building the
 * DOM), api.ts (the API and the caller), rights.ts (the rights catalogue), frame.ts (the frame and
 * its router), parts.ts, kinds.ts, lists.ts and record.ts (pieces the pages share), then one
 * module per view under views/: organizations, an organization (overview, collaborators, API
 * keys, delete), applications, gateways and clients (overview, collaborators, effective rights,
 * delete), the activity and the registry file (its plan and apply). Views import the shared modules, never each other.
 *
 * Names and everything else that comes from the store reach the page through textContent and
 * attributes only, never as markup. Listeners are added with addEventListener: the page's
 * Content-Security-Policy forbids inline handlers.
 */

import { caller, describeCaller, signIn } from './api.js';
import { frame, showError, startRouting, whoBox } from './frame.js';
// Each view registers its routes when imported; their patterns do not overlap across views.
import './views/organizations.js';
import './views/organization.js';
import './views/entities.js';
import './views/activity.js';
import './views/registry.js';

async function start(): Promise<void> {
  frame();
  try {
    await signIn();
  } catch (error) {
    showError(error);
  }
  whoBox.textContent = `Signed in as ${describeCaller(caller)}`;
  await startRouting();
}

void start();
