/** The Feishu (Lark) custom bot integration: signed card or text messages, {@code code} answers. */
package dev.modelwatch.server.alert.notify.feishu;
