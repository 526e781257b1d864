// Plugin main: helpers for plugin consumers (`requirePlugin('pay')`).
export function formatFee(fee: number): string {
  return `¥${(fee / 100).toFixed(2)}`;
}
