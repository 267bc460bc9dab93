/** The e-mail integration: SMTP (STARTTLS or SMTPS, authentication) with Jakarta Mail / Eclipse Angus. */
package dev.modelwatch.server.alert.notify.email;
