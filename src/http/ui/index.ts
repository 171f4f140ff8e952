/** What other page modules build on. */

export { formFlag, formList, formOptional, formText } from './form-body.js';
export { formFailure } from './form-failure.js';
export { CheckboxField, CsrfField, ErrorMessage, PostButton, TextAreaField, TextField } from './forms.js';
export { requireAdmin, requireSignedIn } from './guards.js';
export { Layout } from './layout.js';
export { ErrorPage } from './pages/error-page.js';
export { type UiOptions, uiPlugin } from './plugin.js';
export { type PageContext, sendPage, usePage } from './render.js';
export { currentSessionId, currentUser, signedInUser, signIn, signOut } from './session.js';
