Component({
  properties: { fee: { type: Number, value: 0 } },
  methods: {
    onSuccess(e: WechatMiniprogram.CustomEvent) {
      this.triggerEvent('success', e.detail);
    },
  },
});
