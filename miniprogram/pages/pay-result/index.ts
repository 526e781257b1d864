Component({
  data: { title: 'pay-result' },
});
