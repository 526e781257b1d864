Component({
  data: { title: 'order-confirm' },
});
