/** The DingTalk group robot integration: signed markdown messages, {@code errcode} answers. */
package dev.modelwatch.server.alert.notify.dingtalk;
