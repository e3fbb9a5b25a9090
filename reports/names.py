"""Readable names for the kinds of line the plugins write (a Line's ``kind``): a clerk reads
"代理商提成 / Agent commission", not ``agent_commission``. One table for every report (workbook
headers, page columns, findings); tests/reports/test_names.py checks that every kind a built-in
plugin can write is in it. A kind not in it (a third party's plugin) is shown as its key made
readable — underscores to spaces, capitalised — never as the raw key. The items of 003 §十一's
account-manager sheet (a ``scorecard`` line's ``items``) are named the same way."""

from __future__ import annotations

# kind -> (中文, English); grouped by what the line is
KINDS: dict[str, tuple[str, str]] = {
    # pay (CNY)
    "commission": ("销售提成", "Sales commission"),
    "agent_commission": ("代理商提成", "Agent commission"),
    "manager_commission": ("部门经理提成", "Manager commission"),
    "single_order_bonus": ("单笔订单奖励", "Single-order bonus"),
    "base_salary": ("基本工资", "Base salary"),
    "phone_allowance": ("电话补助", "Phone allowance"),
    "bonus": ("计提奖金", "Bonus"),
    "released_bonus": ("补发奖金", "Released bonus"),
    "side_bonus": ("任务外收入奖金", "Side-income bonus"),
    "year_end_settlement": ("年终结算", "Year-end settlement"),
    "fixed_wage_deduction": ("扣发固定工资", "Fixed wage deduction"),
    "base_pay": ("基础薪酬", "Base pay"),
    "loans_issued_pay": ("放款计件工资", "Piece-rate pay for loans"),
    "referrer_reward": ("推荐奖励", "Referral reward"),
    # points docked
    "missed_report": ("漏报", "Missed report"),
    "missed_report_important": ("漏报（重要商机）", "Missed report (important)"),
    "missed_report_ordinary": ("漏报（一般商机）", "Missed report (ordinary)"),
    "missed_report_small": ("漏报（小额商机）", "Missed report (small)"),
    "missed_report_owner": ("漏报（层级负责人）", "Missed report (tier owner)"),
    "missed_single_source": ("漏报致单一来源采购", "Missed report, single-source loss"),
    "quota_shortfall": ("任务未完成", "Quota shortfall"),
    "branch_quota_shortfall": ("分支机构任务未完成", "Branch quota shortfall"),
    "poor_entry": ("商机录入不规范", "Poor opportunity entry"),
    "subjective_loss": ("丢单（主观原因）", "Lost order (subjective)"),
    "overdue_rate": ("贷款逾期率", "Overdue rate"),
    # findings (flags)
    "veto_flag": ("年度绩效否决", "Annual performance veto"),
    # the suite's own lines (docs/rules.md §9.5, §9.7)
    "annual_veto": ("全年绩效否决", "The year vetoed"),
    "adjustment": ("以前期间调整", "Adjustment of a closed period"),
    "grade_promotion": ("符合晋级条件", "Eligible for promotion"),
    "grade_shortfall": ("不满足等级条件", "Below grade requirements"),
    # context (info)
    "loss_objective": ("丢单（客观原因）", "Lost order (objective)"),
    "loss_review_pending": ("丢单复盘待定", "Lost order, review pending"),
    "task_credit": ("计入任务", "Task credit"),
    "quarter_credit": ("本季完成额", "Quarter's completion"),
    "not_in_crm": ("未进入CRM", "Not in the CRM"),
    "implementation_share_low": ("实施收入占比过低", "Implementation share low"),
    "credited_not_run": ("记入任务（非销售人员）", "Credited, not a rep"),
    "debt_created": ("未完成基数差额", "Shortfall to make up"),
    "debt_repaid": ("补足差额", "Shortfall made up"),
    "carry_out": ("转入下季", "Carried to next quarter"),
    "floating_wage_paid": ("浮动工资发放", "Floating wage paid"),
    "floating_wage_withheld": ("浮动工资暂不发放", "Floating wage withheld"),
    "floating_wage_back_paid": ("浮动工资补发", "Floating wage paid back"),
    "salary_grade_up": ("工资升级", "Salary grade up"),
    "salary_grade_down": ("工资降级", "Salary grade down"),
    "kpi_sheet": ("KPI考核表评分", "KPI sheet score"),
    "kpi_coefficient": ("KPI系数", "KPI coefficient"),
    "loans_issued": ("发放贷款笔数", "Loans issued"),
    "new_balance": ("贷款余额新增", "New balance"),
    "balance": ("贷款余额", "Loan balance"),
    "interest_recovered": ("贷款利息回收", "Interest recovered"),
    "average_balance": ("户均贷款余额", "Average balance per borrower"),
    "indicator": ("考核指标", "Indicator"),
    "scorecard": ("业绩考核表", "Scorecard"),
    "target": ("销售指标", "Target"),
    # the service, deadline and grade schemes (docs/rules.md §10-§16)
    "deadline": ("办理时限", "Deadline"),
    "appraisal_item": ("考核项目得分", "Scorecard item"),
    "appraisal_total": ("考核总分", "Scorecard total"),
    "grade_standing": ("等级聘任", "Grade appointment"),
    "pay_part_not_configured": ("薪酬项目未配置", "Pay part not configured"),
    "pay_part_not_applicable": ("薪酬项目不适用", "Pay part not applicable"),
    "pay_part_no_portfolio": ("无月末贷款余额", "No month-end portfolio"),
    "appointment_grade_unknown": ("聘任等级不在序列中", "Appointment to an unknown grade"),
    "appointment_waiting": ("聘任待审批", "Appointment awaiting approval"),
    "grade_stands": ("等级聘任有效", "Grade stands"),
    "grade_not_approved": ("等级未经批准聘任", "Grade not approved"),
    "grade_approved_by_wrong_role": ("等级非由审批层级批准", "Grade approved by the wrong level"),
    "grade_condition_not_met": ("不满足任职条件", "Grade condition not met"),
    "grade_condition_not_shown": ("任职条件无记录", "Grade condition not on record"),
    "deadlines_met": ("按时办结", "Deadlines met"),
    "no_deadline": ("无办理时限", "No deadline"),
    "case_unreadable": ("办件信息无法识别", "Case unreadable"),
    "scheme_validity": ("供电方案有效期", "Supply scheme validity"),
    "extension_too_long": ("延期超过一个有效期", "Extension longer than one validity"),
    "qualification_condition": ("大客户认定条件", "Qualification condition"),
    "qualified": ("大客户认定结论", "Qualification verdict"),
    "approval_path": ("认定审批程序", "Approval path"),
    "approval_path_breach": ("审批程序不符", "Approval path breached"),
    "approved_unqualified": ("不符合条件而获认定", "Approved without qualifying"),
    "volume_in_force": ("年度运量生效", "Year's volume in force"),
    "volume_twice": ("年度运量重复确定", "Year's volume fixed twice"),
    "volume_year_missing": ("运量表未注明年度", "Volume with no year"),
    "new_balance_pay": ("贷款余额新增绩效薪酬", "New-balance pay"),
    "balance_pay": ("维护贷款余额绩效薪酬", "Balance-maintained pay"),
    "quality_pay": ("贷款质量绩效薪酬", "Loan-quality pay"),
    "average_pay": ("贷款户均数绩效薪酬", "Average-per-borrower pay"),
    "lunch_allowance": ("午餐补助", "Lunch allowance"),
    "full_attendance": ("满勤奖", "Full-attendance bonus"),
    "seniority_pay": ("工龄奖", "Seniority pay"),
    "pension_subsidy": ("养老补贴", "Pension subsidy"),
    "sales_bonus": ("销售指标奖金", "Sales bonus"),
    "service_bonus": ("清洗饮水机、送水完成率奖金", "Service bonus"),
    "cleaning_extra": ("超标准洗机额外薪资", "Extra pay, dispensers cleaned"),
    "delivery_extra": ("超标准送水额外薪资", "Extra pay, barrels delivered"),
    "sales_completion": ("销售指标完成率", "Sales completion (M)"),
    "dispensers_cleaned": ("清洗饮水机台数", "Dispensers cleaned"),
    "barrels_delivered": ("送水桶数", "Barrels delivered"),
}

# the items of 003 §十一's account-manager sheet (kamkit.kpi scorecard_score; docs/rules.md §4)
SCORECARD_ITEMS: dict[str, tuple[str, str]] = {
    "sales_completion": ("销售任务完成率", "Sales target completion"),
    "complaint_resolution": ("投诉处理", "Complaint resolution"),
    "collection_rate": ("回款率", "Collection rate"),
    "big_customers": ("大客户开发", "Big customers developed"),
    "relationship": ("客户关系管理", "Relationship management"),
    "innovation": ("创新", "Innovation"),
    "communication": ("沟通协调", "Communication"),
    "attendance": ("出勤", "Attendance"),
    "service_attitude": ("服务态度", "Service attitude"),
    "responsibility": ("责任心", "Responsibility"),
    "learning": ("学习能力", "Learning"),
}


def item_names(item: str) -> tuple[str, str]:
    """(中文, English) for an item of the §十一 sheet; an unknown one as its key made readable."""
    found = SCORECARD_ITEMS.get(item)
    if found is not None:
        return found
    readable = readable_key(item)
    return readable, readable


def kind_names(kind: str) -> tuple[str, str]:
    """(中文, English) for a kind; an unknown one as its key made readable in both."""
    found = KINDS.get(kind)
    if found is not None:
        return found
    readable = readable_key(kind)
    return readable, readable


def kind_label(kind: str) -> str:
    """One line for both languages, e.g. "代理商提成 / Agent commission"."""
    zh, en = kind_names(kind)
    return en if zh == en else f"{zh} / {en}"


def readable_key(key: str) -> str:
    """``agent_commission`` -> "Agent commission": the fallback for a key no table names."""
    text = " ".join(key.replace("_", " ").split())
    return text[:1].upper() + text[1:] if text else "—"
