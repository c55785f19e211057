// Part B of the self-review editor (QĐ 366): the common points are the sum of the criteria
// groups; while a member types, show that sum and the total out of 100 (the server adds them up
// again when saving, and shows them without this script).
(function () {
  if (window.kiemdiemPartB) return;
  window.kiemdiemPartB = true;

  function number(input) {
    var text = ((input && input.value) || "").trim().replace(",", ".");
    if (text === "") return null;
    var n = Number(text);
    return isFinite(n) ? n : NaN;
  }
  function shown(n) {
    return (Math.round(n * 10) / 10).toString().replace(".", ",");
  }
  function update(box) {
    var common = 0, complete = true, wrong = false;
    box.querySelectorAll("input[data-group-max]").forEach(function (input) {
      var n = number(input);
      if (n === null) complete = false;
      else if (isNaN(n) || n < 0 || n > Number(input.dataset.groupMax)) wrong = true;
      else common += n;
    });
    var tasks = number(box.querySelector("input[data-tasks-max]"));
    var commonOut = box.querySelector("#common-total"), totalOut = box.querySelector("#score-total");
    if (commonOut) commonOut.textContent = wrong ? "?" : shown(common);
    if (totalOut) {
      var ok = !wrong && complete && tasks !== null && !isNaN(tasks);
      totalOut.textContent = ok ? shown(common + tasks) : "—";
    }
  }
  document.addEventListener("input", function (event) {
    var box = event.target.closest && event.target.closest("[data-part-b]");
    if (box) update(box);
  });
})();
